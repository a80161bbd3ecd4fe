using Distributed.Grains.Cluster.Coordinator;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Ml.Pipeline;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distributed.Client.Cluster;

/// <summary>
/// A bus for the Client: connected to a running cluster (<c>--cluster amqp://…</c>), or an
/// embedded cluster, i.e. a silo with every role hosted in this process on the in-memory transport.
/// </summary>
internal sealed class ClusterSession : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterSession(IHost host, ShardStore store)
    {
        _host = host;
        Store = store;
    }

    public ShardStore Store { get; }

    public IBus Bus => _host.Services.GetRequiredService<IBus>();

    /// <summary>Starts the bus: a client of <paramref name="cluster"/>, or an embedded silo when it is null.</summary>
    public static async Task<ClusterSession> StartAsync(Uri? cluster, string store)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // The CLI reports a failed job or an unreachable broker itself, in one line; MassTransit's own
        // fault log (e.g. a heartbeat cancelled when a bad input stops the session at once) only adds noise.
        builder.Logging.AddFilter("MassTransit", LogLevel.Critical);
        if (cluster is null)
        {
            builder.Services.AddSilo(new SiloOptions { Store = store, SiloId = $"embedded-{Environment.ProcessId}" });
        }
        else
        {
            builder.Services.AddClusterClient(cluster);
        }
        var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        return new ClusterSession(host, new ShardStore(store));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }

    /// <summary>Turns polled job statuses into stage events for the progress display.</summary>
    public static Action<JobStatus> Observe(IPipelineObserver? observer)
    {
        string? phase = null;
        var last = (Done: -1, Total: -1, Detail: "");
        var started = DateTime.UtcNow;
        return status =>
        {
            if (observer is null)
            {
                return;
            }
            if (status.Phase != phase)
            {
                if (phase is not null)
                {
                    observer.StageCompleted(phase, DateTime.UtcNow - started);
                }
                if (status.Phase == JobPhases.Done)
                {
                    phase = status.Phase; // the end of the job, not a stage to show
                    return;
                }
                phase = status.Phase;
                started = DateTime.UtcNow;
                observer.StageStarted(phase);
                last = (-1, -1, "");
            }
            if ((status.Done, status.Total, status.Detail) != last && status.Total > 0)
            {
                last = (status.Done, status.Total, status.Detail);
                observer.StageProgress(phase, status.Done, status.Total, status.Detail);
            }
        };
    }
}
