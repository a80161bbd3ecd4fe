using Distributed.Grains.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Distributed.Grains.Serving;

/// <summary>
/// Loads <see cref="PredictorOptions.ModelPath"/> in the background once the host runs, so the host
/// answers <c>/alive</c> (and <c>/health</c> with 503) while a large bundle is still being verified.
/// </summary>
internal sealed class ModelLoadingService(Predictor predictor, IOptions<PredictorOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = options.Value.ModelPath;
        if (path is null || predictor.Current is not null)
        {
            return;
        }
        try
        {
            await Task.Run(() => predictor.Swap(path), stoppingToken);
        }
        catch (ModelBundleException)
        {
            // Already logged by the predictor; /health stays 503 so an orchestrator sees it.
        }
    }
}
