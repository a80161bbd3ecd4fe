namespace Distributed.Grains.Cluster.Hosting;

/// <summary>The roles a silo can run; a silo hosts only the grains of its roles.</summary>
public static class SiloRoles
{
    /// <summary>Feature-extraction grains (encoder training and shard encoding).</summary>
    public const string Gpu = "gpu";

    /// <summary>Shard workers: UMAP transform, clustering statistics, assignment, tree groups.</summary>
    public const string Cpu = "cpu";

    /// <summary>The labelling job grains: one checkpointed state machine per job.</summary>
    public const string Coordinator = "coordinator";

    /// <summary>The predictor grain: serves the current model to other services and the HTTP API.</summary>
    public const string Predictor = "predictor";

    /// <summary>Every role, the default of a silo and of the embedded cluster.</summary>
    public static IReadOnlyList<string> All { get; } = [Gpu, Cpu, Coordinator, Predictor];

    /// <summary>Parses a comma-separated list (e.g. <c>gpu,cpu</c>).</summary>
    /// <exception cref="ArgumentException">An unknown or missing role.</exception>
    public static IReadOnlyList<string> Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return All;
        }
        var roles = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(r => r.ToLowerInvariant()).Distinct().ToArray();
        var unknown = roles.Where(r => !All.Contains(r)).ToArray();
        if (unknown.Length > 0 || roles.Length == 0)
        {
            throw new ArgumentException($"unknown silo role(s) '{string.Join(",", unknown)}'; roles are {string.Join(",", All)}");
        }
        return roles;
    }
}
