using Distributed.Ml.Numerics;
using Distributed.Ml.Refinement;

namespace Distributed.Ml.Tests.Refinement;

public class SelfLabellingTests
{
    [Fact]
    public void TheCnnCorrectsLabelsThatDisagreeWithThePixels()
    {
        // First-stage labels with one in eight wrong at random: the CNN learns the orientation from
        // the majority and relabels the wrong ones.
        var (images, truth) = BarImages.Make(1600, 7);
        var rng = new Rng(8);
        var noisy = Array.ConvertAll(truth, label => rng.NextInt(8) == 0 ? 1 - label : label);
        var options = new SelfLabellingOptions { Cnn = new CnnClassifierOptions { Seed = 9 } };
        // Every row equally deep in its cluster (a one-dimensional embedding of the labels): all are confident.
        var embedded = new Matrix(noisy.Length, 1, Array.ConvertAll(noisy, label => (float)label));

        var result = SelfLabelling.Fit(images, embedded, noisy, 2, null, options);

        var before = Accuracy(noisy, truth);
        var after = Accuracy(result.Labels, truth);
        Assert.True(before < 0.9, $"noisy labels {before}");
        Assert.True(after > 0.97, $"refined labels {after} (noisy {before})");
        Assert.Equal(noisy.Length, result.ConfidentRows.Length);
        Assert.Equal(CnnClassifier.FeatureWidth, result.Features.Cols);
    }

    [Fact]
    public void KnownLabelsJoinTheTrainingSetWithTheirOwnLabel()
    {
        // Row 3 is nearer the other cluster, so not confident, but its label is known.
        var embedded = new Matrix(8, 1, [-1f, 0f, 1f, 6f, 9f, 10f, 11f, 10f]);
        int[] labels = [0, 0, 0, 0, 1, 1, 1, 1];
        int[] known = [-1, -1, -1, 1, -1, 0, -1, -1];
        var (rows, rowLabels) = SelfLabelling.TrainingSet(embedded, labels, 2, known, share: 1);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], rows);
        Assert.Equal(1, rowLabels[3]);
        Assert.Equal(0, rowLabels[5]);
    }

    [Fact]
    public void ALaterRoundTrainsOnEveryImageWithThePreviousLabelsAndKnownLabelsKeepTheirs()
    {
        int[] previous = [0, 1, 1, 0, 2];
        int[] known = [-1, 0, -1, -1, -1];

        var (rows, labels) = SelfLabelling.NextRoundTrainingSet(previous, known);
        Assert.Equal([0, 1, 2, 3, 4], rows);
        Assert.Equal([0, 0, 1, 0, 2], labels);

        var (_, unchanged) = SelfLabelling.NextRoundTrainingSet(previous, null);
        Assert.Equal(previous, unchanged);
        Assert.NotSame(previous, unchanged);
        Assert.Throws<ArgumentException>(() => SelfLabelling.NextRoundTrainingSet(previous, [0, 1]));
    }

    [Fact]
    public void TheFirstRoundUsesTheOptionsSeedAndTheSecondADerivedOne()
    {
        var options = new SelfLabellingOptions { Cnn = new CnnClassifierOptions { Seed = 5 } };
        Assert.Same(options.Cnn, SelfLabelling.RoundOptions(options, 0));
        var second = SelfLabelling.RoundOptions(options, 1);
        Assert.NotEqual(5UL, second.Seed);
        Assert.Equal(options.Cnn with { Seed = second.Seed }, second);
        Assert.Equal(second, SelfLabelling.RoundOptions(options, 1));
        Assert.NotEqual(second.Seed, SelfLabelling.RoundOptions(options with { Cnn = options.Cnn with { Seed = 6 } }, 1).Seed);
        var third = SelfLabelling.RoundOptions(options, 2);
        Assert.NotEqual(5UL, third.Seed);
        Assert.NotEqual(second.Seed, third.Seed);
        Assert.Throws<ArgumentOutOfRangeException>(() => SelfLabelling.RoundOptions(options, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => SelfLabelling.RoundOptions(options with { Rounds = 1 }, 1));
    }

    [Fact]
    public void EachRoundTrainsOnTheLabelsOfTheOneBeforeAndTheRoundsProbabilitiesAreAveraged()
    {
        var (images, truth) = BarImages.Make(400, 11);
        var rng = new Rng(12);
        var noisy = Array.ConvertAll(truth, label => rng.NextInt(8) == 0 ? 1 - label : label);
        var embedded = new Matrix(noisy.Length, 1, Array.ConvertAll(noisy, label => (float)label));
        var options = new SelfLabellingOptions { Cnn = new CnnClassifierOptions { Seed = 13, Epochs = 1 } };
        Assert.Equal(3, options.Rounds);

        var one = SelfLabelling.Fit(images, embedded, noisy, 2, null, options with { Rounds = 1 });
        var three = SelfLabelling.Fit(images, embedded, noisy, 2, null, options);

        // The same three rounds by hand: fit, classify, train the next on this round's own labels.
        var all = Enumerable.Range(0, noisy.Length).ToArray();
        var first = CnnClassifier.Fit(images, one.ConfidentRows, Array.ConvertAll(one.ConfidentRows, i => noisy[i]), 2, SelfLabelling.RoundOptions(options, 0)).Classify(images);
        var second = CnnClassifier.Fit(images, all, first.Labels, 2, SelfLabelling.RoundOptions(options, 1)).Classify(images);
        var thirdModel = CnnClassifier.Fit(images, all, second.Labels, 2, SelfLabelling.RoundOptions(options, 2));
        var third = thirdModel.Classify(images);
        var expected = new int[noisy.Length];
        for (var i = 0; i < expected.Length; i++)
        {
            var sum = new float[2];
            for (var c = 0; c < 2; c++)
            {
                sum[c] = first.Probabilities.Row(i)[c] + second.Probabilities.Row(i)[c];
                sum[c] += third.Probabilities.Row(i)[c];
            }
            expected[i] = sum[1] > sum[0] ? 1 : 0;
        }
        Assert.Equal(expected, three.Labels);
        Assert.Equal(third.Features.Data, three.Features.Data);
        Assert.Equal(third.Probabilities.Data, three.Model.Classify(images).Probabilities.Data);
        Assert.Equal(first.Labels, one.Labels);
        // The confident rows reported are the first round's.
        Assert.Equal(one.ConfidentRows, three.ConfidentRows);
    }

    [Fact]
    public void TheRoundsSumIsAddedInPlaceAndItsLargestClassIsTheLabel()
    {
        // Sums of halves and quarters are exact in float.
        var first = new Matrix(3, 3, [0.75f, 0.25f, 0f, 0.5f, 0.5f, 0f, 0.25f, 0.25f, 0.5f]);
        Assert.Same(first, SelfLabelling.AddRound(null, first));
        // Row 0: the first round says 0, the second 1 more strongly; rows 1 and 2 tie, so the lowest class.
        var second = new Matrix(3, 3, [0f, 1f, 0f, 0.5f, 0.5f, 0f, 0.5f, 0.25f, 0.25f]);
        var sum = SelfLabelling.AddRound(first, second);
        Assert.Same(first, sum);
        Assert.Equal([0.75f, 1.25f, 0f, 1f, 1f, 0f, 0.75f, 0.5f, 0.75f], sum.Data);
        Assert.Equal([1, 0, 0], SelfLabelling.EnsembleLabels(sum));
        Assert.Throws<ArgumentException>(() => SelfLabelling.AddRound(sum, new Matrix(2, 3)));
    }

    private static double Accuracy(int[] labels, int[] truth) => labels.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Length;
}
