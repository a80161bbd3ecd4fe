namespace Distributed.Ml.Metrics;

/// <summary>
/// Accuracy, macro-averaged F1 and confusion matrix of predicted against reference labels.
/// Classes are the union of both labelings (as scikit-learn); a class with no predictions and no
/// references cannot occur, and an undefined precision or recall counts as 0.
/// </summary>
/// <param name="Accuracy">Share of exact matches.</param>
/// <param name="MacroF1">Unweighted mean of per-class F1.</param>
/// <param name="Classes">Class labels, ascending; index of the confusion matrix rows and columns.</param>
/// <param name="Confusion">Confusion[i][j]: reference class i predicted as class j.</param>
public sealed record ClassificationReport(double Accuracy, double MacroF1, int[] Classes, long[][] Confusion)
{
    /// <summary>Computes the report.</summary>
    public static ClassificationReport Compute(ReadOnlySpan<int> reference, ReadOnlySpan<int> predicted)
    {
        if (reference.Length != predicted.Length || reference.Length == 0)
        {
            throw new ArgumentException($"Need equal, non-zero lengths: {reference.Length} and {predicted.Length}.");
        }
        var set = new SortedSet<int>();
        foreach (var label in reference)
        {
            set.Add(label);
        }
        foreach (var label in predicted)
        {
            set.Add(label);
        }
        int[] classes = [.. set];
        var k = classes.Length;
        var confusion = new long[k][];
        for (var i = 0; i < k; i++)
        {
            confusion[i] = new long[k];
        }
        long correct = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            confusion[Array.BinarySearch(classes, reference[i])][Array.BinarySearch(classes, predicted[i])]++;
            correct += reference[i] == predicted[i] ? 1 : 0;
        }
        var f1Sum = 0.0;
        for (var c = 0; c < k; c++)
        {
            long truePositive = confusion[c][c], referenceCount = 0, predictedCount = 0;
            for (var j = 0; j < k; j++)
            {
                referenceCount += confusion[c][j];
                predictedCount += confusion[j][c];
            }
            var denominator = referenceCount + predictedCount;
            f1Sum += denominator == 0 ? 0 : 2.0 * truePositive / denominator;
        }
        return new ClassificationReport((double)correct / reference.Length, f1Sum / k, classes, confusion);
    }
}
