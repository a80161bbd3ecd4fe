using System.Text.Json;
using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>
/// The Grafana dashboard as deployed (the grafana-dashboards ConfigMap of the production render):
/// a panel for each view the operators need, and queries that parse and select metrics.
/// </summary>
public sealed class DashboardTests
{
    private const string DashboardFile = "labeller-dashboard.json";

    /// <summary>The views the dashboard must have: panel title, what its queries must contain, its unit.</summary>
    public static TheoryData<string, string[], string> RequiredPanels => new()
    {
        { "Jobs: current phase", ["distributed_job_phase", "job_id", "phase"], "short" },
        { "Job progress", ["distributed_job_shards_done", "distributed_job_shards)"], "percentunit" },
        { "Shard throughput per role", ["rate(distributed_cluster_shards_processed_total", "by (role)"], "short" },
        { "Pipeline stage durations", ["distributed_pipeline_stage_duration_seconds_sum", "distributed_pipeline_stage_duration_seconds_count", "by (stage)"], "s" },
        { "Predictor requests per second", ["rate(distributed_predictor_requests_total"], "reqps" },
        { "Predictor latency p50 / p99", ["histogram_quantile(0.5,", "histogram_quantile(0.99,", "distributed_predictor_request_duration_seconds_bucket"], "s" },
        { "Predictor error rate", ["rate(distributed_predictor_errors_total", "rate(distributed_predictor_requests_total"], "percentunit" },
        { "Orleans activations per silo", ["microsoft_orleans_orleans_catalog_activations", "by (pod)"], "short" },
        // Orleans records request latency in milliseconds.
        { "Orleans request latency p50 / p99 (ms)", ["histogram_quantile(0.99,", "microsoft_orleans_orleans_app_requests_latency_bucket"], "ms" },
        { "Memory per silo", ["process_working_set_bytes", "pod"], "bytes" },
        { "CPU per silo", ["rate(process_cpu_seconds_total", "pod"], "short" },
    };

    [Theory]
    [MemberData(nameof(RequiredPanels))]
    public void DashboardHasThePanel(string title, string[] fragments, string unit)
    {
        var panel = Panels().SingleOrDefault(p => p.GetProperty("title").GetString() == title);
        Assert.True(panel.ValueKind == JsonValueKind.Object, $"the dashboard has no panel '{title}'");

        var expressions = Expressions(panel).ToList();
        Assert.All(fragments, fragment => Assert.True(expressions.Any(e => e.Contains(fragment, StringComparison.Ordinal)), $"panel '{title}': no query contains '{fragment}'"));
        Assert.Equal(unit, panel.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("unit").GetString());
    }

    [Fact]
    public void DashboardQueriesParse()
    {
        var expressions = Panels().SelectMany(Expressions).ToList();

        Assert.NotEmpty(expressions);
        var (valid, output) = PromQl.Check(expressions);
        Assert.True(valid, $"promtool rejects a dashboard query: {output}");
    }

    [Fact]
    public void EveryQuerySelectsAMetric()
    {
        // Which names the silos export is checked against a running silo's scrape
        // (tests/Grains.Tests/Monitoring/MetricsApiTests.cs), the authority on them.
        foreach (var panel in Panels())
        {
            foreach (var expression in Expressions(panel))
            {
                Assert.True(PromQlMetricNames.Of(expression).Count > 0, $"panel '{panel.GetProperty("title")}': no metric in {expression}");
            }
        }
    }

    [Fact]
    public void EveryPanelQueriesTheProvisionedPrometheus()
    {
        var manifests = Render("production");
        var datasources = Deserialize(Data(manifests, "grafana-datasources", "datasources.yaml"));
        var uid = (string)List(datasources, "datasources").Cast<Dictionary<object, object>>().Single(d => (string)d["type"] == "prometheus")["uid"];

        foreach (var panel in Panels())
        {
            Assert.Equal(uid, panel.GetProperty("datasource").GetProperty("uid").GetString());
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                Assert.Equal(uid, target.GetProperty("datasource").GetProperty("uid").GetString());
            }
        }
    }

    [Fact]
    public void DeployedDashboardIsTheFileInTheTree()
    {
        var file = File.ReadAllText(Path.Combine(RepositoryRoot, "k8s", "base", "grafana", DashboardFile));

        Assert.Equal(file, Data(Render("production"), "grafana-dashboards", DashboardFile));
        Assert.Equal("labeller", JsonDocument.Parse(file).RootElement.GetProperty("uid").GetString());
    }

    /// <summary>The panels with queries (rows hold none), from the deployed ConfigMap.</summary>
    private static List<JsonElement> Panels()
    {
        var json = JsonDocument.Parse(Data(Render("production"), "grafana-dashboards", DashboardFile)).RootElement;
        return json.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();
    }

    private static IEnumerable<string> Expressions(JsonElement panel) =>
        panel.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!);

    /// <summary>A file of a generated ConfigMap (its name carries a content hash suffix).</summary>
    internal static string Data(Manifests manifests, string configMap, string key) =>
        (string)Map(manifests.OfKind("ConfigMap").Single(c => Name(c).StartsWith(configMap + "-", StringComparison.Ordinal)), "data")[key];

    internal static Dictionary<object, object> Deserialize(string yaml) =>
        new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(yaml);
}
