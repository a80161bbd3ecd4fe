using System.CommandLine;

namespace Distributed.Client.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "No progress bars on stderr" };
}
