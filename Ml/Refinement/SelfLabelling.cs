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

    /// <summary>
    /// The training set of a round after the first: every image with the previous round's label,
    /// a known label in place of it where there is one.
    /// </summary>
    public static (int[] Rows, int[] Labels) NextRoundTrainingSet(int[] previousLabels, int[]? knownLabels)
    {
        ArgumentNullException.ThrowIfNull(previousLabels);
        if (knownLabels is not null && knownLabels.Length != previousLabels.Length)
        {
            throw new ArgumentException($"{knownLabels.Length} known labels for {previousLabels.Length} images.", nameof(knownLabels));
        }
        var labels = (int[])previousLabels.Clone();
        for (var i = 0; knownLabels is not null && i < labels.Length; i++)
        {
            if (knownLabels[i] >= 0)
            {
                labels[i] = knownLabels[i];
            }
        }
        return (Enumerable.Range(0, previousLabels.Length).ToArray(), labels);
    }

    /// <summary>The CNN's settings in round <paramref name="round"/> (0-based): the first round's seed is the options', later rounds' are derived from it.</summary>
    public static CnnClassifierOptions RoundOptions(SelfLabellingOptions options, int round)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(round, options.Rounds);
        return round == 0 ? options.Cnn : options.Cnn with { Seed = Rng.Derive(options.Cnn.Seed, RandomStreams.Refinement, RoundSeedStream, (ulong)round).NextUInt64() };
    }

    /// <summary>
    /// Adds a round's class probabilities to the sum of the rounds before it (in place; the first
    /// round's probabilities are the sum). Rounds are added in order, one element at a time, so
    /// the sum is the same bits however the images are split into shards.
    /// </summary>
    /// <param name="earlierRounds">The sum of the earlier rounds' probabilities, or null in the first round.</param>
    /// <param name="probabilities">This round's probabilities, one row per image.</param>
    /// <returns>The sum including this round.</returns>
    public static Matrix AddRound(Matrix? earlierRounds, Matrix probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (earlierRounds is null)
        {
            return probabilities;
        }
        if (earlierRounds.Rows != probabilities.Rows || earlierRounds.Cols != probabilities.Cols)
        {
            throw new ArgumentException($"A round's probabilities are {probabilities.Rows}×{probabilities.Cols}, the earlier rounds' {earlierRounds.Rows}×{earlierRounds.Cols}.", nameof(probabilities));
        }
        System.Numerics.Tensors.TensorPrimitives.Add(earlierRounds.Data, probabilities.Data, earlierRounds.Data);
        return earlierRounds;
    }

    /// <summary>The refined labels: the class of every image with the largest summed probability over the rounds (the lowest class on a tie).</summary>
    public static int[] EnsembleLabels(Matrix roundsSum)
    {
        ArgumentNullException.ThrowIfNull(roundsSum);
        var labels = new int[roundsSum.Rows];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(roundsSum.Row(i));
        }
        return labels;
    }

    /// <summary>
    /// Trains the CNN on the confident images and relabels them all, for <see cref="SelfLabellingOptions.Rounds"/>
    /// rounds, each later round training on the round before's labels; the refined labels are the
    /// rounds' averaged probabilities' (<see cref="AddRound"/>, <see cref="EnsembleLabels"/>).
    /// </summary>
    /// <param name="images">Every image, one row each.</param>
    /// <param name="embedded">The rows the clusters were found in.</param>
    /// <param name="labels">Label of every row (−1 for noise): the clusters, or label spreading's labels.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="knownLabels">Known labels (−1 where unknown) or null.</param>
    /// <param name="options">The stage's settings.</param>
    /// <param name="epochCompleted">Called after every epoch of every round, numbered across the rounds (round r's epoch e is r × the epoch limit + e, out of rounds × the limit).</param>
    public static SelfLabellingResult Fit(Matrix images, Matrix embedded, int[] labels, int classes, int[]? knownLabels, SelfLabellingOptions options,
        Action<CnnEpoch>? epochCompleted = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(options);
        var (confidentRows, rowLabels) = TrainingSet(embedded, labels, classes, knownLabels, options.ConfidentShare);
        var rows = confidentRows;
        Matrix? roundsSum = null;
        for (var round = 0; ; round++)
        {
            var first = round * options.Cnn.Epochs;
            var model = CnnClassifier.Fit(images, rows, rowLabels, classes, RoundOptions(options, round), epochCompleted is null ? null
                : epoch => epochCompleted(epoch with { Epoch = first + epoch.Epoch, MaxEpochs = options.Rounds * options.Cnn.Epochs }));
            var classification = model.Classify(images);
            roundsSum = AddRound(roundsSum, classification.Probabilities);
            if (round == options.Rounds - 1)
            {
                return new SelfLabellingResult(model, confidentRows, EnsembleLabels(roundsSum), classification.Features);
            }
            (rows, rowLabels) = NextRoundTrainingSet(classification.Labels, knownLabels);
        }
    }

    // Beside CnnClassifier's streams (0 to 2) under the same seed: the later rounds' CNN seeds.
    private const ulong RoundSeedStream = 3;
}
