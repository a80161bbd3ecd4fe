using Distributed.Grains.Apis;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Monitoring;
using Distributed.Grains.Serving;

namespace Distributed.Silo;

/// <summary>
/// Silo host. Runs the grains of its roles (<c>--roles gpu,cpu,coordinator,predictor</c>) over the
/// broker (<c>--broker amqp://…</c>; in-memory without one) on the shared store (<c>--store</c>),
/// and serves <c>/health</c>, <c>/alive</c> and <c>/metrics</c>; with a model (<c>--model &lt;dir&gt;</c>)
/// also the predictor HTTP API. Every switch has a configuration key (<c>Silo__Roles</c>,
/// <c>Silo__Broker</c>, <c>Silo__Store</c>, <c>Silo__Model</c>, <c>Silo__HttpPort</c>). SIGTERM
/// drains: consumers finish the messages in hand and running jobs stop at a checkpoint.
/// </summary>
public sealed class Program
{
    private static readonly Dictionary<string, string> s_switches = new()
    {
        ["--model"] = "Silo:Model",
        ["--http-port"] = "Silo:HttpPort",
        ["--roles"] = "Silo:Roles",
        ["--broker"] = "Silo:Broker",
        ["--store"] = "Silo:Store",
        ["--id"] = "Silo:Id",
        ["--shard-timeout-s"] = "Silo:ShardTimeoutSeconds",
        ["--lease-s"] = "Silo:LeaseSeconds",
    };

    /// <summary>How long SIGTERM waits for messages in hand before the process exits.</summary>
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(60);

    private Program()
    {
    }

    private static int Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddCommandLine(args, s_switches);
        if (builder.Configuration.GetValue<int?>("Silo:HttpPort") is { } port)
        {
            builder.WebHost.UseUrls($"http://*:{port}");
        }
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = s_drainTimeout);
        var model = builder.Configuration["Silo:Model"];
        builder.Services.AddHealthApi();
        builder.Services.AddMonitoring();
        if (model is not null)
        {
            builder.Services.AddPredictor(options => options.ModelPath = model);
        }
        if (builder.Configuration["Silo:Store"] is { } store)
        {
            SiloOptions silo;
            try
            {
                ShardStore.CheckRoot(store);
                silo = new SiloOptions
                {
                    Roles = SiloRoles.Parse(builder.Configuration["Silo:Roles"]),
                    Broker = builder.Configuration["Silo:Broker"] is { Length: > 0 } broker ? new Uri(broker) : null,
                    Store = store,
                    Model = model,
                };
                if (builder.Configuration["Silo:Id"] is { Length: > 0 } id)
                {
                    silo = silo with { SiloId = id };
                }
                if (builder.Configuration.GetValue<double?>("Silo:ShardTimeoutSeconds") is { } seconds)
                {
                    silo = silo with { ShardTimeout = seconds > 0 ? TimeSpan.FromSeconds(seconds) : throw new ArgumentException($"--shard-timeout-s must be positive, got {seconds}") };
                }
                if (builder.Configuration.GetValue<double?>("Silo:LeaseSeconds") is { } lease)
                {
                    silo = silo with { LeaseDuration = lease >= 1 ? TimeSpan.FromSeconds(lease) : throw new ArgumentException($"--lease-s must be at least 1, got {lease}") };
                }
            }
            catch (Exception e) when (e is ArgumentException or UriFormatException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
            builder.Services.AddSilo(silo);
            Console.Out.WriteLine($"silo {silo.SiloId}: roles {string.Join(",", silo.Roles)}, broker {(silo.Broker is { } uri ? $"{uri.Host}:{uri.Port}" : "in-memory")}, store {Path.GetFullPath(store)}");
        }
        else if (builder.Configuration["Silo:Roles"] is not null || builder.Configuration["Silo:Broker"] is not null)
        {
            Console.Error.WriteLine("error: --roles and --broker need --store <dir> (Silo__Store): the shared store of the cluster");
            return 1;
        }

        var app = builder.Build();
        app.MapHealthApi();
        app.MapMetricsApi();
        if (model is not null)
        {
            app.MapPredictorApi();
        }
        app.Run();
        return 0;
    }
}
