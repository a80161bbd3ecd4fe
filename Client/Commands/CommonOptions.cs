using System.CommandLine;

namespace Distributed.Client.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "No progress bars on stderr" };

    /// <summary>How many versions a publication keeps in the output directory.</summary>
    public static Option<int> KeepVersions() => new("--keep-versions")
    {
        Description = "Versions kept in the output directory, the new one included; older ones go unless a reader holds them",
        DefaultValueFactory = _ => Grains.Storage.RunDirectory.DefaultKeepVersions,
    };

    /// <summary>The value of <paramref name="keepVersions"/>, checked.</summary>
    /// <exception cref="UserError">It is below 1.</exception>
    public static int KeepVersionsOf(ParseResult parse, Option<int> keepVersions)
    {
        var value = parse.GetValue(keepVersions);
        return value >= 1 ? value : throw new UserError($"--keep-versions must be at least 1, got {value}");
    }
}
