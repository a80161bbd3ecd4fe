using System.Net;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using static Distributed.Grains.Tests.Apis.ApiTestData;

namespace Distributed.Grains.Tests.Monitoring;

/// <summary><c>/metrics</c> of a serving Silo: content, content type, and what promtool and a real Prometheus make of it.</summary>
public sealed class MetricsApiTests : IDisposable
{
    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_prometheusDeadline = TimeSpan.FromSeconds(60);
    private readonly SiloFactory _silo = new(TrainedModels.Instance.First);

    public void Dispose() => _silo.Dispose();

    [Fact]
    public async Task ScrapeHasPredictorProcessAndRuntimeMetrics()
    {
        var client = await ServeSomeRequestsAsync();
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var text = await response.Content.ReadAsStringAsync();
        var version = ModelBundle.Load(TrainedModels.Instance.First).Manifest.ModelVersion;
        Assert.Contains("# TYPE distributed_predictor_requests_total counter\n", text);
        Assert.Contains("distributed_predictor_requests_total{endpoint=\"predict\",status=\"200\"} 3\n", text);
        Assert.Contains("distributed_predictor_requests_total{endpoint=\"model\",status=\"200\"} 1\n", text);
        Assert.Contains("distributed_predictor_images_predicted_total 5\n", text);
        Assert.Contains("# TYPE distributed_predictor_request_duration_seconds histogram\n", text);
        Assert.Contains("distributed_predictor_request_duration_seconds_count{endpoint=\"predict\",status=\"200\"} 3\n", text);
        Assert.Contains("distributed_predictor_request_duration_seconds_bucket{endpoint=\"predict\",status=\"200\",le=\"+Inf\"} 3\n", text);
        Assert.Contains("distributed_predictor_errors_total{endpoint=\"predict\",status=\"400\",reason=\"bad_shape\"} 1\n", text);
        Assert.Contains($"distributed_predictor_model_info{{version=\"{version}\"}} 1\n", text);
        foreach (var name in new[] { "process_cpu_seconds_total", "process_working_set_bytes", "process_start_time_seconds", "dotnet_total_memory_bytes", "process_num_threads" })
        {
            Assert.Contains($"\n{name} ", text);
        }
        Assert.Contains("dotnet_collection_count_total{generation=\"0\"}", text);
        // HTTP request metrics, labelled with the endpoint the request matched.
        Assert.Contains("# TYPE http_requests_received_total counter\n", text);
        Assert.Contains("http_request_duration_seconds_bucket{", text);
    }

    [RequiresBinaryFact("promtool")]
    public async Task PromtoolAcceptsALiveScrape()
    {
        var client = await ServeSomeRequestsAsync();
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var (code, output) = PrometheusBinaries.Run(PrometheusBinaries.Find("promtool")!, "check metrics", text, s_toolTimeout);
        Assert.True(code == 0 && output.Trim().Length == 0, $"promtool check metrics exited {code}:\n{output}\n--- scrape ---\n{text}");
    }

    [RequiresBinaryFact("prometheus")]
    public async Task PrometheusScrapesTheSiloAndAnswersAQuery()
    {
        var address = _silo.StartOnLoopback();
        await ServeSomeRequestsAsync();
        using var server = PrometheusServer.Start(PrometheusBinaries.Find("prometheus")!, $"{address.Host}:{address.Port}", TimeSpan.FromMilliseconds(250));
        var (labels, value) = await server.QuerySingleAsync("distributed_predictor_requests_total{endpoint=\"predict\",status=\"200\"}", s_prometheusDeadline);
        Assert.Equal("distributed", labels.GetProperty("job").GetString());
        Assert.Equal("3", value);
    }

    [RequiresBinaryFact("prometheus")]
    public async Task PrometheusScrapesTheJobProgressOfACoordinatorSilo()
    {
        using var temp = new TempDirectory();
        using var silo = new SiloFactory(null, new Dictionary<string, string> { ["Silo:Store"] = temp.File("store"), ["Silo:Roles"] = "coordinator,gpu,cpu" });
        var address = silo.StartOnLoopback();
        await RunJobAsync(silo, temp);

        using var server = PrometheusServer.Start(PrometheusBinaries.Find("prometheus")!, $"{address.Host}:{address.Port}", TimeSpan.FromMilliseconds(250));
        var (progressLabels, progress) = await server.QuerySingleAsync("distributed_pipeline_stage_progress_ratio{stage=\"reduce\"}", s_prometheusDeadline);
        Assert.Equal("distributed", progressLabels.GetProperty("job").GetString());
        Assert.Equal("1", progress);
        var (_, running) = await server.QuerySingleAsync("distributed_pipeline_stage_running{stage=\"classifier\"}", s_prometheusDeadline);
        Assert.Equal("0", running);
    }

    [Fact]
    public async Task ASiloExportsItsShardWorkJobsOrleansAndEveryMetricTheDashboardQueries()
    {
        using var temp = new TempDirectory();
        using var silo = new SiloFactory(null, new Dictionary<string, string> { ["Silo:Store"] = temp.File("store"), ["Silo:Roles"] = "coordinator,gpu,cpu,predictor" });
        var client = silo.CreateClient();
        await RunJobAsync(silo, temp);

        // The silo's predictor follows the registry to the job's model, and its HTTP API answers
        // through the predictor grain (an activation of it appears).
        await SiloFactory.WaitUntilServingAsync(client, "the job's model");
        using var predicted = await client.PostAsync(new Uri("/v1/predict", UriKind.Relative), NpyContent(Npy(new byte[784], 1, 784)));
        Assert.Equal(HttpStatusCode.OK, predicted.StatusCode);

        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("microsoft_orleans_orleans_grains{grain_type=\"predictor\"} 1\n", text);
        Assert.Contains("distributed_predictor_images_predicted_total 1\n", text);
        // 180 images in shards of 40: every shard encoded on a gpu silo, embedded and labelled on a cpu silo.
        const int Shards = 5;
        Assert.Contains($"distributed_cluster_shards_processed_total{{role=\"gpu\",operation=\"encode\"}} {Shards}\n", text);
        Assert.Contains($"distributed_cluster_shards_processed_total{{role=\"cpu\",operation=\"embed\"}} {Shards}\n", text);
        Assert.Contains($"distributed_cluster_shards_processed_total{{role=\"cpu\",operation=\"assign\"}} {Shards}\n", text);
        // Nothing waits once the job is done, and a finished job leaves no phase behind.
        Assert.Contains("distributed_cluster_shards_pending{role=\"gpu\"} 0\n", text);
        Assert.Contains("distributed_cluster_shards_pending{role=\"cpu\"} 0\n", text);
        Assert.DoesNotContain("distributed_job_phase{", text);
        Assert.Contains("distributed_pipeline_stage_duration_seconds_count{stage=\"features\"} 1\n", text);
        // Orleans' own meter, with the silo's millisecond buckets.
        Assert.Contains("# TYPE microsoft_orleans_orleans_app_requests_latency histogram\n", text);
        Assert.Contains("microsoft_orleans_orleans_app_requests_latency_bucket{le=\"0.5\"}", text);
        Assert.Contains("microsoft_orleans_orleans_grains{grain_type=\"shardworker\"}", text);
        if (PrometheusBinaries.Find("promtool") is { } promtool)
        {
            var (code, output) = PrometheusBinaries.Run(promtool, "check metrics", text, s_toolTimeout);
            Assert.True(code == 0 && output.Trim().Length == 0, $"promtool check metrics exited {code}:\n{output}");
        }

        // The Grafana dashboard queries only what a silo exports (a family is exported once its
        // HELP/TYPE lines are; a histogram as _bucket, _sum and _count).
        var exported = ExportedNames(text);
        foreach (var expression in DashboardExpressions())
        {
            foreach (var name in Deploy.Tests.PromQlMetricNames.Of(expression))
            {
                Assert.True(exported.Contains(name), $"k8s/base/grafana/labeller-dashboard.json queries {name} ({expression}), which the silo does not export");
            }
        }
    }

    /// <summary>The grain tests' small job (5 shards, every phase) on the silo's own grains.</summary>
    private static async Task RunJobAsync(SiloFactory silo, TempDirectory temp)
    {
        var (images, labels) = SyntheticImages.Write(temp.Path);
        var jobs = new ClusterJobClient(silo.Services.GetRequiredService<IGrainFactory>(), Cluster.ClusterJobTests.Settings);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await jobs.RunAsync(silo.Services.GetRequiredService<ShardStore>(), new LabellingJobRequest(images, temp.File("out"), Cluster.ClusterJobTests.Options, labels),
            cancellationToken: timeout.Token);
    }

    /// <summary>Every name a scrape exports: each family, and a histogram's series names.</summary>
    private static HashSet<string> ExportedNames(string scrape)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in scrape.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)))
        {
            var parts = line.Split(' ');
            names.Add(parts[2]);
            if (parts[3] == "histogram")
            {
                names.UnionWith([parts[2] + "_bucket", parts[2] + "_sum", parts[2] + "_count"]);
            }
        }
        return names;
    }

    /// <summary>The PromQL of every panel of the dashboard the Kubernetes manifests provision.</summary>
    private static IEnumerable<string> DashboardExpressions()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Distributed.sln")))
        {
            directory = directory.Parent;
        }
        var file = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Distributed.sln not found above the test assembly"),
            "k8s", "base", "grafana", "labeller-dashboard.json");
        using var dashboard = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
        return [.. dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(panel => panel.TryGetProperty("targets", out _))
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!)];
    }

    /// <summary>Three successful predictions (5 images), one bad request, one model query.</summary>
    private async Task<HttpClient> ServeSomeRequestsAsync()
    {
        var client = await _silo.ServingClientAsync();
        var pixels = TrainedModels.Instance.Pixels;
        var predict = new Uri("/v1/predict", UriKind.Relative);
        foreach (var count in new[] { 1, 1, 3 })
        {
            using var ok = await client.PostAsync(predict, NpyContent(Npy(pixels.AsSpan(0, count * 784), count, 784)));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using var bad = await client.PostAsync(predict, NpyContent(Npy(new byte[10], 1, 10)));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var model = await client.GetAsync(new Uri("/v1/model", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, model.StatusCode);
        return client;
    }
}
