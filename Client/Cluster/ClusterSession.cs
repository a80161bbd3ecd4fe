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
    private readonly Abandonment _abandonment;

    private ClusterSession(IHost host, Abandonment abandonment) => (_host, _abandonment) = (host, abandonment);

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
            await LabellingSiloHosting.CheckRedisAsync(redis, password).ConfigureAwait(false);
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
        // Empty: the command's host takes its settings from the command line alone (no appsettings,
        // environment or user-secrets configuration, no default logging providers), and skipping
        // those defaults takes about a tenth of a second off every command's start.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        // The CLI reports a failed job or an unreachable cluster itself, in one line.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A host that fails to start logs the whole exception; the CLI says what failed in one line instead.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        // Once the command gives up on the job, what its grains say while they are torn down (failed
        // checkpoint writes, cancelled deactivations) is expected and would bury the one-line error.
        // (Filters are picked by the most specific category, so each one checks it.)
        var abandonment = new Abandonment();
        builder.Logging.AddFilter((_, _, level) => level >= LogLevel.Warning && !abandonment.Abandoned);
        builder.Logging.AddFilter("Orleans", level => level >= LogLevel.Error && !abandonment.Abandoned);
        configure(builder);
        // The command handles Ctrl-C and SIGTERM itself (Interruption): the host must not stop on them behind its back.
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
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
        return new ClusterSession(host, abandonment);
    }

    /// <summary>
    /// Stops the host without waiting more than a few seconds for its grains: after an interruption
    /// the embedded silo's job is being thrown away, and its coordinator may be inside a step that
    /// takes minutes to reach the next checkpoint.
    /// </summary>
    public void Abandon() => _abandonment.Abandoned = true;

    private static readonly TimeSpan s_abandonedStopLimit = TimeSpan.FromSeconds(5);

    public async ValueTask DisposeAsync()
    {
        using (var limit = new CancellationTokenSource(_abandonment.Abandoned ? s_abandonedStopLimit : Timeout.InfiniteTimeSpan))
        {
            await _host.StopAsync(limit.Token).ConfigureAwait(false);
        }
        _host.Dispose();
    }

    /// <summary>Whether the command gave up on its job (<see cref="Abandon"/>), shared with the host's log filter.</summary>
    private sealed class Abandonment
    {
        public volatile bool Abandoned;
    }

    /// <summary>Starts and stops with the command, never on a signal.</summary>
    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
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
