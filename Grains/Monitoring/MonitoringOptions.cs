namespace Distributed.Grains.Monitoring;

/// <summary>What <c>/metrics</c> exports. Every default is documented here and nowhere else.</summary>
public sealed class MonitoringOptions
{
    /// <summary>
    /// Meter name prefixes to export. Default: <c>Distributed</c> (this product's meters: predictor,
    /// pipeline, process).
    /// </summary>
    public IList<string> MeterPrefixes { get; } = ["Distributed"];
}
