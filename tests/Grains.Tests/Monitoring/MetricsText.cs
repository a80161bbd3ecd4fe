using Distributed.Grains.Monitoring;

namespace Distributed.Grains.Tests.Monitoring;

/// <summary>What <c>/metrics</c> would answer for a host's registry, without a web host.</summary>
internal static class MetricsText
{
    public static string Scrape(HostMetrics host)
    {
        using var stream = new MemoryStream();
        host.Registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
