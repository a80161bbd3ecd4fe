using Distributed.Ml.Numerics;

namespace Distributed.Ml.Refinement;

/// <summary>
/// Second-stage labelling: a CNN trained on the confident part of a clustering's labels, with
/// light augmentation, relabels every image. The network sees the pixels, so it can fix images
/// the clustering's feature space put on the wrong side of a boundary.
/// </summary>
public static class SelfLabelling
{
    /// <summary>The training set: the confident rows and their labels, with every known label added.</summary>
    /// <param name="embedded">The rows the clusters were found in.</param>
    /// <param name="labels">Label of every row (−1 for noise): the clusters, or label spreading's labels.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="knownLabels">Known labels (−1 where unknown) or null; a known row always joins with its known label.</param>
    /// <param name="share">Confident share of each class (<see cref="SelfLabellingOptions.ConfidentShare"/>).</param>
    public static (int[] Rows, int[] Labels) TrainingSet(Matrix embedded, int[] labels, int classes, int[]? knownLabels, double share)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var rows = new SortedSet<int>(ConfidentSelection.Choose(embedded, labels, classes, share));
        if (knownLabels is not null)
        {
            for (var i = 0; i < knownLabels.Length; i++)
            {
                if (knownLabels[i] >= 0)
                {
                    rows.Add(i);
                }
            }
        }
        var chosen = rows.ToArray();
        var chosenLabels = Array.ConvertAll(chosen, i => knownLabels is not null && knownLabels[i] >= 0 ? knownLabels[i] : labels[i]);
        return (chosen, chosenLabels);
    }

    /// <summary>Trains the CNN on the confident images and relabels them all.</summary>
    public static SelfLabellingResult Fit(Matrix images, Matrix embedded, int[] labels, int classes, int[]? knownLabels, SelfLabellingOptions options,
        Action<CnnEpoch>? epochCompleted = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(options);
        var (rows, rowLabels) = TrainingSet(embedded, labels, classes, knownLabels, options.ConfidentShare);
        var model = CnnClassifier.Fit(images, rows, rowLabels, classes, options.Cnn, epochCompleted);
        var (refined, features) = model.Relabel(images);
        return new SelfLabellingResult(model, rows, refined, features);
    }
}
