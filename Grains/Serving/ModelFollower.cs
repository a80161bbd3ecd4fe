using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Serving;

/// <summary>
/// Keeps a predictor silo's <see cref="Predictor"/> on the model the registry names: asks
/// <see cref="IModelRegistryGrain"/> every <see cref="SiloOptions.ModelPollInterval"/> and swaps to
/// a newly published bundle. A bundle that fails to load leaves the old model serving, is logged
/// once (by the predictor), and is not tried again. The silo's <c>--model</c>, when given, serves
/// until the registry names a model.
/// </summary>
public sealed partial class ModelFollower(Predictor predictor, IGrainFactory grains, ShardStore store, SiloOptions options, ILogger<ModelFollower> logger)
    : BackgroundService
{
    private string? _applied;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ModelPollInterval);
        do
        {
            await FollowAsync().ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One look at the registry; swaps when it names a model not yet tried here.</summary>
    internal async Task FollowAsync()
    {
        PublishedModel? current;
        try
        {
            current = await grains.GetGrain<IModelRegistryGrain>(0).GetCurrent().ConfigureAwait(false);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or InvalidOperationException)
        {
            // The silo is starting or the cluster is changing: ask again at the next tick.
            return;
        }
        if (current is null || current.Version == _applied)
        {
            // The registry answered: no model published yet, or the one served here.
            predictor.SettleFirstLoad();
            return;
        }
        _applied = current.Version;
        try
        {
            var path = store.PathOf(current.ModelRef);
            var loaded = await Task.Run(() => predictor.Swap(path)).ConfigureAwait(false);
            LogSwapped(logger, loaded.Version, current.JobId);
        }
        catch (ModelBundleException)
        {
            // Logged by the predictor, which keeps serving the old model.
        }
        catch (ArgumentException e)
        {
            // A reference outside the store is never loaded; the old model keeps serving.
            LogRefused(logger, current.Version, e.Message);
        }
        predictor.SettleFirstLoad();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not serving published model {Version}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string version, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Now serving model {Version}, published by job {JobId}")]
    private static partial void LogSwapped(ILogger logger, string version, Guid jobId);
}
