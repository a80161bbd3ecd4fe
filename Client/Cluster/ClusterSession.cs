using Distributed.Grains.Cluster.Coordinator;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Ml.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distributed.Client.Cluster;

/// <summary>
/// The Client's way into the grains: an Orleans client of a running cluster (<c>--cluster
/// host:port</c>, the cluster's Redis), or an embedded silo hosted in this process (the default of
/// <c>run</c>) with localhost clustering and in-memory state, which needs no other server.
/// </summary>
internal sealed class ClusterSession : IAsyncDisposable
{
    /// <summary>
    /// The embedded silo's roles: everything a job needs. No predictor: nothing is served after the
    /// run ends, so loading the new model into a predictor would be wasted work.
    /// </summary>
    private static readonly IReadOnlyList<string> s_embeddedRoles = [SiloRoles.Gpu, SiloRoles.Cpu, SiloRoles.Coordinator];

    private readonly IHost _host;

    private ClusterSession(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Starts an embedded silo on <paramref name="store"/> whose feature extraction runs on <paramref name="featureBackend"/>.</summary>
    /// <exception cref="UserError">The feature backend cannot run here (<c>cuda</c> without a CUDA device).</exception>
    public static async Task<ClusterSession> EmbeddedAsync(string store, FeatureBackendChoice featureBackend)
    {
        try
        {
            return await StartAsync(builder => builder.UseOrleans(silo => silo.AddLabellingSilo(new SiloOptions
            {
                Store = store,
                Roles = s_embeddedRoles,
                SiloId = $"embedded-{Environment.ProcessId}",
                FeatureBackend = featureBackend,
            }))).ConfigureAwait(false);
        }
        catch (FeatureBackendUnavailableException e)
        {
            throw new UserError(e.Message);
        }
    }

    /// <summary>
    /// Environment variable holding the password of a Redis that needs one; an environment variable
    /// rather than an option, so the password does not show in process listings or shell history.
    /// </summary>
    public const string RedisPasswordVariable = "REDIS_PASSWORD";

    /// <summary>Connects to the cluster whose membership is in <paramref name="redis"/> (password from <see cref="RedisPasswordVariable"/>).</summary>
    /// <exception cref="UserError">No silo of that cluster could be reached.</exception>
    public static async Task<ClusterSession> ConnectAsync(string redis)
    {
        var password = Environment.GetEnvironmentVariable(RedisPasswordVariable) is { Length: > 0 } set ? set : null;
        try
        {
            return await StartAsync(builder => builder.UseOrleansClient(client => client.AddLabellingClient(redis, password))).ConfigureAwait(false);
        }
        catch (StackExchange.Redis.RedisException e)
        {
            throw new UserError($"--cluster {redis}: {LabellingSiloHosting.RedisFailure(e)}");
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            throw new UserError($"--cluster {redis}: no silo of the cluster could be reached ({e.Message.Split('\n', '.')[0]})");
        }
    }

    private static async Task<ClusterSession> StartAsync(Action<HostApplicationBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        // The CLI reports a failed job or an unreachable cluster itself, in one line.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Error);
        // A host that fails to start logs the whole exception; the CLI says what failed in one line instead.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        configure(builder);
        var host = builder.Build();
        try
        {
            await host.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new ClusterSession(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }

    /// <summary>Turns polled job statuses into stage events for the progress display.</summary>
    public static Action<JobStatus> Observe(IPipelineObserver? observer)
    {
        JobPhase? phase = null;
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
                if (phase is { } previous)
                {
                    observer.StageCompleted(previous.Name(), DateTime.UtcNow - started);
                }
                phase = status.Phase;
                if (status.Phase == JobPhase.Done)
                {
                    return; // the end of the job, not a stage to show
                }
                started = DateTime.UtcNow;
                observer.StageStarted(status.Phase.Name());
                last = (-1, -1, "");
            }
            if ((status.Done, status.Total, status.Detail) != last && status.Total > 0)
            {
                last = (status.Done, status.Total, status.Detail);
                observer.StageProgress(status.Phase.Name(), status.Done, status.Total, status.Detail);
            }
        };
    }
}
