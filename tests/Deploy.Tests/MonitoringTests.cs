using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>Prometheus labels every silo series with its pod and role, and each job's series with its id.</summary>
public sealed class MonitoringTests
{
    [Fact]
    public void PrometheusLabelsSeriesWithTheirPodAndSiloRole()
    {
        var job = ScrapeJob(Render("production"));
        var relabelling = List(job, "relabel_configs").Cast<Dictionary<object, object>>().ToList();

        Assert.Contains(relabelling, r => Sources(r) == "__meta_kubernetes_pod_name" && (string)r["target_label"] == "pod");
        // silo-cpu -> cpu; not `role`, which the shard metrics carry themselves.
        var role = Assert.Single(relabelling, r => (r.GetValueOrDefault("target_label") as string) == "silo_role");
        Assert.Equal("__meta_kubernetes_pod_label_app_kubernetes_io_name", Sources(role));
        Assert.Equal("silo-(.+)", role["regex"]);
    }

    [Fact]
    public void PrometheusNamesTheJobsIdLabelJobId()
    {
        var job = ScrapeJob(Render("production"));
        var relabelling = List(job, "metric_relabel_configs").Cast<Dictionary<object, object>>().ToList();

        // distributed_job_*{job} clash with the scrape job's `job` label, which renames theirs to exported_job.
        Assert.Contains(relabelling, r => Sources(r) == "exported_job" && (string)r["target_label"] == "job_id");
        Assert.Contains(relabelling, r => (r.GetValueOrDefault("action") as string) == "labeldrop" && (string)r["regex"] == "exported_job");
    }

    private static Dictionary<object, object> ScrapeJob(Manifests manifests)
    {
        var config = Deserialize((string)Map(manifests.Single("ConfigMap", "prometheus-config"), "data")["prometheus.yml"]);
        return Assert.IsType<Dictionary<object, object>>(Assert.Single(List(config, "scrape_configs")));
    }

    private static Dictionary<object, object> Deserialize(string yaml) =>
        new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(yaml);

    private static string Sources(Dictionary<object, object> relabelling) =>
        string.Join(';', List(relabelling, "source_labels").Cast<string>());
}
