using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Trainers.LightGbm;

namespace Distributed.Bench.MlNet;

/// <summary>
/// An extra figure beside the forest: ML.NET's LightGBM multiclass trainer (gradient boosting, not a
/// forest, so no entry of its own) fitted on the same rows with 100 boosting rounds and its defaults
/// otherwise. LightGBM is a native library (<c>lib_lightgbm</c> from the LightGBM package); when it
/// does not load here, the note says so and the entry's own figures stand.
/// </summary>
internal static class LightGbmNote
{
    private const int Rounds = 100;

    public static string Fit(MLContext context, BenchData data, IDataView train, int[] keyValues, IDataView test, int[] testLabels)
    {
        var trainer = context.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
        {
            FeatureColumnName = MlNetInputs.Features,
            LabelColumnName = MlNetInputs.Label,
            NumberOfIterations = Rounds,
            NumberOfThreads = MlNetInputs.Threads,
            Seed = MlNetInputs.Seed(data),
        });
        try
        {
            var (model, seconds) = Timing.Measure(() => trainer.Fit(train));
            var predicted = MlNetInputs.PredictLabels(model, test, keyValues);
            return $"LightGBM multiclass ({Rounds} rounds, {MlNetInputs.Threads} threads): fit {seconds:F3} s, held-out accuracy {ForestSplit.Accuracy(testLabels, predicted):F4}";
        }
        catch (Exception e) when (NativeLoadFailure(e) is { } cause)
        {
            // The loader's message lists every path it tried: the log gets it whole, the notes its first sentence.
            Console.Error.WriteLine($"mlnet: LightGBM did not load: {cause}");
            return $"LightGBM multiclass: not run, its native library did not load ({cause.GetType().Name}: {cause.Message.Split(". ")[0]})";
        }
    }

    /// <summary>The load failure inside <paramref name="e"/> (ML.NET may wrap it), or null for any other error, which is not caught.</summary>
    private static Exception? NativeLoadFailure(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or MarshalDirectiveException)
            {
                return inner;
            }
        }
        return null;
    }
}
