using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>
/// Prometheus labels every silo series with its pod and role, and Grafana is provisioned with that
/// Prometheus and the dashboard, from ConfigMaps, with nothing set up by hand.
/// </summary>
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

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void GrafanaUsesThePrometheusServiceAsItsDataSource(string overlay)
    {
        var manifests = Render(overlay);
        var grafana = manifests.Single("Deployment", "grafana");

        var datasources = DashboardTests.Deserialize(MountedFile(manifests, grafana, "/etc/grafana/provisioning/datasources"));
        var prometheus = Assert.Single(List(datasources, "datasources").Cast<Dictionary<object, object>>());
        Assert.Equal("prometheus", prometheus["type"]);
        Assert.Equal("true", prometheus["isDefault"]);
        var url = new Uri((string)prometheus["url"]);
        var service = manifests.Single("Service", url.Host);
        Assert.Contains(List(Map(service, "spec"), "ports").Cast<Dictionary<object, object>>(), p => (string)p["port"] == url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("prometheus", Map(service, "spec", "selector")["app.kubernetes.io/name"]);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void GrafanaLoadsTheDashboardFromWhereItsConfigMapIsMounted(string overlay)
    {
        var manifests = Render(overlay);
        var grafana = manifests.Single("Deployment", "grafana");

        var providers = DashboardTests.Deserialize(MountedFile(manifests, grafana, "/etc/grafana/provisioning/dashboards"));
        var provider = Assert.Single(List(providers, "providers").Cast<Dictionary<object, object>>());
        var path = (string)Map(provider, "options")["path"];
        var dashboards = ConfigMapAt(manifests, grafana, path);
        Assert.True(Name(dashboards).StartsWith("grafana-dashboards-", StringComparison.Ordinal), $"{path} holds ConfigMap {Name(dashboards)}");
        Assert.True(Map(dashboards, "data").ContainsKey("labeller-dashboard.json"), $"ConfigMap {Name(dashboards)} lacks labeller-dashboard.json");
    }

    /// <summary>The one file of the ConfigMap a Grafana container mounts at a directory.</summary>
    private static string MountedFile(Manifests manifests, Dictionary<object, object> grafana, string directory) =>
        (string)Assert.Single(Map(ConfigMapAt(manifests, grafana, directory), "data")).Value;

    private static Dictionary<object, object> ConfigMapAt(Manifests manifests, Dictionary<object, object> grafana, string directory)
    {
        var container = Containers(grafana).Single(c => (string)c["name"] == "grafana");
        var mount = List(container, "volumeMounts").Cast<Dictionary<object, object>>().SingleOrDefault(m => (string)m["mountPath"] == directory);
        Assert.True(mount is not null, $"nothing is mounted at {directory} in Grafana");
        return manifests.Single("ConfigMap", (string)Map(Volume(grafana, (string)mount["name"]), "configMap")["name"]);
    }

    private static Dictionary<object, object> ScrapeJob(Manifests manifests)
    {
        var config = DashboardTests.Deserialize((string)Map(manifests.Single("ConfigMap", "prometheus-config"), "data")["prometheus.yml"]);
        return Assert.IsType<Dictionary<object, object>>(Assert.Single(List(config, "scrape_configs")));
    }

    private static string Sources(Dictionary<object, object> relabelling) =>
        string.Join(';', List(relabelling, "source_labels").Cast<string>());
}
