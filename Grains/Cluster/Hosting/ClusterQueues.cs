namespace Distributed.Grains.Cluster.Hosting;

/// <summary>Queue names, one per role, so that work goes only to silos that run the role.</summary>
public static class ClusterQueues
{
    /// <summary>Feature-extraction work (gpu role).</summary>
    public const string Features = "features";

    /// <summary>Shard work (cpu role).</summary>
    public const string Work = "work";

    /// <summary>Job submission, status and heartbeats (coordinator role).</summary>
    public const string Coordinator = "coordinator";

    /// <summary>Predict requests (predictor role).</summary>
    public const string Predictor = "predictor";

    /// <summary>A predictor silo's own queue, for broadcasts such as model reloads.</summary>
    public static string PredictorOf(string siloId) => $"{Predictor}-{siloId}";

    /// <summary>The address of a queue, for request clients.</summary>
    public static Uri Address(string queue) => new($"queue:{queue}");
}
