using Distributed.Grains.Interfaces.Cluster;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>How phases are written in status lines, errors and progress (lower case, as the stages).</summary>
public static class JobPhaseNames
{
    /// <summary>The phase's name, e.g. <c>features</c>.</summary>
    public static string Name(this JobPhase phase) => phase.ToString().ToLowerInvariant();
}
