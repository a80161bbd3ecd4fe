using Distributed.Grains.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Distributed.Grains.Serving;

/// <summary>
/// Loads <see cref="PredictorOptions.ModelPath"/> in the background once the host runs, so the host
/// answers <c>/alive</c> (and <c>/health/ready</c> with 503) while a large bundle is still being verified.
/// </summary>
internal sealed class ModelLoadingService(Predictor predictor, IOptions<PredictorOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = options.Value.ModelPath;
        if (path is null)
        {
            // Nothing to load from a path: a predictor silo's registry follower settles the first load.
            return;
        }
        try
        {
            if (predictor.Current is null)
            {
                await Task.Run(() => predictor.Swap(path), stoppingToken);
            }
        }
        catch (ModelBundleException)
        {
            // Already logged by the predictor; /health/ready stays 503 so an orchestrator sees it.
        }
        finally
        {
            predictor.SettleFirstLoad();
        }
    }
}
