namespace Distributed.Client; internal static class Program { private static void Main() { } }
