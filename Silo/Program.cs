using System.Net;
using System.Net.Sockets;
using Distributed.Grains.Apis;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Monitoring;
using Distributed.Grains.Serving;
using Distributed.Grains.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Orleans.Dashboard;

namespace Distributed.Silo;

/// <summary>
/// Silo host: an Orleans silo running the grains of its roles (<c>--roles gpu,cpu,coordinator,predictor</c>)
/// on the shared store (<c>--store</c>), clustered through Redis (<c>--redis host:port</c>) or alone
/// on localhost without it. It serves <c>/alive</c>, <c>/health/ready</c>, <c>/health/startup</c> and
/// <c>/metrics</c>, on coordinator silos the Orleans dashboard at <c>/dashboard</c>, and on predictor
/// silos the predictor HTTP API with the current model. Every switch has a configuration key
/// (<c>Silo__Roles</c>, <c>Silo__Redis</c>, …; see <see cref="s_switches"/>). The Redis password has
/// only a key (<c>Silo__RedisPassword</c>), and the admin API key is read from a file
/// (<c>--api-key-file</c>), so neither shows in process listings.
/// <c>--feature-backend cpu|cuda|auto</c> chooses where the <c>gpu</c> role's feature extraction
/// computes (auto: a CUDA GPU when ILGPU finds one); the start line says which.
/// <c>Silo__Kubernetes=true</c> adds Orleans' Kubernetes hosting (pod name, namespace and IP from the
/// environment). SIGTERM drains: the silo leaves the cluster, its grains deactivate (a running job
/// stops at its checkpoint and resumes on another coordinator silo).
/// </summary>
public sealed class Program
{
    private static readonly Dictionary<string, string> s_switches = new()
    {
        ["--model"] = "Silo:Model",
        ["--http-port"] = "Silo:HttpPort",
        ["--http-host"] = "Silo:HttpHost",
        ["--roles"] = "Silo:Roles",
        ["--redis"] = "Silo:Redis",
        ["--store"] = "Silo:Store",
        ["--id"] = "Silo:Id",
        ["--silo-port"] = "Silo:SiloPort",
        ["--gateway-port"] = "Silo:GatewayPort",
        ["--advertise"] = "Silo:AdvertisedAddress",
        ["--cluster-id"] = "Silo:ClusterId",
        ["--service-id"] = "Silo:ServiceId",
        ["--api-key-file"] = "Silo:ApiKeyFile",
        ["--require-key-for-predict"] = "Silo:RequireKeyForPredict",
        ["--feature-backend"] = "Silo:FeatureBackend",
    };

    /// <summary>HTTP port without <c>--http-port</c>: ASP.NET Core's usual one.</summary>
    private const int DefaultHttpPort = 5000;

    /// <summary>Where coordinator silos serve the Orleans dashboard.</summary>
    private const string DashboardPath = "/dashboard";

    /// <summary>How long SIGTERM waits for the silo to leave and its grains to deactivate before the process exits.</summary>
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(60);

    private Program()
    {
    }

    private static int Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddCommandLine(args, s_switches);
        var configuration = builder.Configuration;
        try
        {
            builder.WebHost.UseUrls(HttpUrl(configuration));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = s_drainTimeout);
        // Orleans' own information logs are per-grain and per-connection chatter; warnings and errors stay.
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Orleans", LogLevel.Warning);
        // Orleans' placement retries log each attempt through Polly at Information.
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        // ASP.NET Core logs six Information lines per HTTP request (hosting, routing, the result): on a
        // predictor silo at 2,000 predictions/s that was 12,000 lines a second on standard output.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // An unhealthy readiness check is the probe's answer (503), expected while a silo starts or
        // has no model yet; logged as an error at every probe it would bury real errors.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);
        // A silo that cannot start says why in one line (below), not with the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        var model = configuration["Silo:Model"];
        builder.Services.AddHealthApi();
        builder.Services.AddMonitoring();
        string? apiKey;
        try
        {
            apiKey = configuration["Silo:ApiKeyFile"] is { Length: > 0 } keyFile ? ApiKeyOptions.ReadKeyFile(keyFile) : null;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: --api-key-file: {e.Message}");
            return 1;
        }
        ApiKeyOptions keyForPredict;
        try
        {
            keyForPredict = new ApiKeyOptions { Key = apiKey, RequireForPredict = Flag(configuration, "Silo:RequireKeyForPredict", "--require-key-for-predict (Silo__RequireKeyForPredict)") };
            keyForPredict.Validate();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        builder.Services.AddApiKeyAuthorization();
        builder.Services.Configure<ApiKeyOptions>(options =>
        {
            options.Key = keyForPredict.Key;
            options.RequireForPredict = keyForPredict.RequireForPredict;
        });

        SiloOptions? silo = null;
        if (configuration["Silo:Store"] is { } store)
        {
            try
            {
                ShardStore.CheckWritable(store);
                silo = new SiloOptions
                {
                    Roles = SiloRoles.Parse(configuration["Silo:Roles"]),
                    Redis = configuration["Silo:Redis"] is { Length: > 0 } redis ? redis : null,
                    RedisPassword = configuration["Silo:RedisPassword"] is { Length: > 0 } password ? password : null,
                    Store = store,
                    SiloPort = Port(configuration, "Silo:SiloPort", "--silo-port"),
                    GatewayPort = Port(configuration, "Silo:GatewayPort", "--gateway-port"),
                    AdvertisedAddress = Address(configuration["Silo:AdvertisedAddress"]),
                    FeatureBackend = FeatureBackends.Parse(configuration["Silo:FeatureBackend"]),
                };
                silo = silo with
                {
                    SiloId = configuration["Silo:Id"] is { Length: > 0 } id ? id : silo.SiloId,
                    ClusterId = configuration["Silo:ClusterId"] is { Length: > 0 } clusterId ? clusterId : silo.ClusterId,
                    ServiceId = configuration["Silo:ServiceId"] is { Length: > 0 } serviceId ? serviceId : silo.ServiceId,
                };
                if (silo.Redis is not null)
                {
                    LabellingSiloHosting.RedisConfiguration(silo.Redis, silo.RedisPassword);
                }
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
            var options = silo;
            bool kubernetes;
            try
            {
                kubernetes = Flag(configuration, "Silo:Kubernetes", "Silo__Kubernetes");
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
            try
            {
                // UseOrleans runs the composition now, which chooses the feature backend: a forced cuda
                // without a device fails here, before anything starts.
                builder.UseOrleans(orleans =>
                {
                    orleans.AddLabellingSilo(options);
                    if (kubernetes)
                    {
                        // Pod name, namespace and IP from the Downward API; the agent labels this pod with
                        // the cluster's ids and stops silos whose pods are gone.
                        orleans.UseKubernetesHosting();
                    }
                    // Every silo reports its grains' counters; coordinator silos serve the pages.
                    orleans.AddDashboard(dashboard => dashboard.HideTrace = true);
                    // Membership timings (probe timeout, missed probes) come from configuration, e.g.
                    // Orleans__ClusterMembership__ProbeTimeout; the tests shorten them, production keeps Orleans' defaults.
                    orleans.Services.Configure<Orleans.Configuration.ClusterMembershipOptions>(configuration.GetSection("Orleans:ClusterMembership"));
                });
            }
            catch (FeatureBackendUnavailableException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        }
        else if (configuration["Silo:Roles"] is not null || configuration["Silo:Redis"] is not null)
        {
            Console.Error.WriteLine("error: --roles and --redis need --store <dir> (Silo__Store): the shared store of the cluster");
            return 1;
        }
        if (silo is not null)
        {
            builder.Services.AddHealthApi().AddCheck<SiloActiveHealthCheck>("silo", tags: [HealthApi.ReadyTag, HealthApi.StartupTag]);
        }
        var predicts = model is not null || silo?.Roles.Contains(SiloRoles.Predictor) == true;
        if (predicts)
        {
            builder.Services.AddPredictor();
        }
        LoadedModel? loaded = null;
        if (model is not null)
        {
            // The rule serve and predict follow too: a model named at start loads before the host
            // listens, or the process ends with one line; a later swap that fails keeps the old model.
            try
            {
                loaded = LoadedModel.Load(model);
            }
            catch (ModelBundleException e)
            {
                Console.Error.WriteLine($"error: --model: {e.Message}");
                return 1;
            }
        }

        var app = builder.Build();
        if (loaded is not null)
        {
            app.Services.GetRequiredService<Predictor>().Swap(loaded);
        }
        app.UseHttpPipeline();
        app.MapHealthApi();
        app.MapMetricsApi();
        if (predicts)
        {
            app.MapPredictorApi();
        }
        if (silo?.Roles.Contains(SiloRoles.Coordinator) == true)
        {
            app.MapOrleansDashboard(DashboardPath).RequireAuthorization(ApiKeyAuthorization.AdminPolicy);
        }
        try
        {
            if (silo?.Redis is { } redis)
            {
                LabellingSiloHosting.CheckRedisAsync(redis, silo.RedisPassword).GetAwaiter().GetResult();
            }
            app.Start();
        }
        catch (StackExchange.Redis.RedisException e)
        {
            Console.Error.WriteLine($"error: --redis {silo?.Redis}: {LabellingSiloHosting.RedisFailure(e)}");
            return 1;
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            Console.Error.WriteLine($"error: --http-port {configuration["Silo:HttpPort"] ?? "(default)"}: the port is in use; give each silo on a machine its own, or 0 for a free one");
            return 1;
        }
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        Console.Out.WriteLine(silo is null
            ? $"silo without grains (no --store): http {string.Join(" ", addresses)}"
            : $"silo {silo.SiloId}: roles {string.Join(",", silo.Roles)}, {(silo.Redis is { } r ? $"redis {r}" : "alone on localhost")}, store {Path.GetFullPath(silo.Store)}, http {string.Join(" ", addresses)}"
              + (silo.Roles.Contains(SiloRoles.Coordinator) ? $", dashboard {DashboardPath}" : "")
              + (silo.Roles.Contains(SiloRoles.Gpu) ? FeatureBackendLine(app.Services.GetRequiredService<FeatureBackendSelection>()) : ""));
        app.WaitForShutdown();
        return 0;
    }

    /// <summary>A true/false setting, false when absent.</summary>
    /// <exception cref="ArgumentException">The value is neither true nor false.</exception>
    private static bool Flag(IConfiguration configuration, string key, string setting)
    {
        var text = configuration[key];
        return string.IsNullOrEmpty(text) ? false
            : bool.TryParse(text, out var value) ? value
            : throw new ArgumentException($"{setting} must be true or false, got '{text}'");
    }

    private static int Port(IConfiguration configuration, string key, string option)
    {
        var text = configuration[key];
        if (string.IsNullOrEmpty(text))
        {
            return SiloOptions.AnyPort;
        }
        return int.TryParse(text, out var port) && port is >= 0 and <= 65535 ? port : throw new ArgumentException($"{option} must be a port number (0 for a free one), got '{text}'");
    }

    /// <summary>The HTTP listening address: loopback unless <c>--http-host</c> says otherwise (the manifests say 0.0.0.0), port 5000 unless given.</summary>
    private static string HttpUrl(IConfiguration configuration)
    {
        var hostText = configuration["Silo:HttpHost"];
        var host = string.IsNullOrEmpty(hostText) ? IPAddress.Loopback
            : IPAddress.TryParse(hostText, out var parsed) ? parsed
            : throw new ArgumentException($"--http-host must be an IP address (127.0.0.1, or 0.0.0.0 for every interface), got '{hostText}'");
        var port = string.IsNullOrEmpty(configuration["Silo:HttpPort"]) ? DefaultHttpPort : Port(configuration, "Silo:HttpPort", "--http-port");
        return host.AddressFamily == AddressFamily.InterNetworkV6 ? $"http://[{host}]:{port}" : $"http://{host}:{port}";
    }

    /// <summary>Which backend the silo's feature-extraction grains use, and why: part of the start line.</summary>
    private static string FeatureBackendLine(FeatureBackendSelection selection) => $", feature backend {selection.Backend.Name} ({selection.Reason})";

    private static string? Address(string? text) =>
        string.IsNullOrEmpty(text) ? null
        : System.Net.IPAddress.TryParse(text, out _) ? text
        : throw new ArgumentException($"--advertise must be an IP address, got '{text}'");
}
