namespace Distributed.Client;

internal static class Program
{
    private static int Main(string[] args)
    {
        if (args is ["serve", ..])
        {
            ServingRuntime.Configure();
        }
        return CliApp.Run(args, Console.Out, Console.Error);
    }
}
