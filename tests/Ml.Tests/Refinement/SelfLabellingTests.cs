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
        Assert.Throws<ArgumentOutOfRangeException>(() => SelfLabelling.RoundOptions(options, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SelfLabelling.RoundOptions(options with { Rounds = 1 }, 1));
    }

    [Fact]
    public void TwoRoundsAreTheFirstRoundThenACnnOnItsLabels()
    {
        var (images, truth) = BarImages.Make(400, 11);
        var rng = new Rng(12);
        var noisy = Array.ConvertAll(truth, label => rng.NextInt(8) == 0 ? 1 - label : label);
        var embedded = new Matrix(noisy.Length, 1, Array.ConvertAll(noisy, label => (float)label));
        var options = new SelfLabellingOptions { Cnn = new CnnClassifierOptions { Seed = 13, Epochs = 1 } };

        var one = SelfLabelling.Fit(images, embedded, noisy, 2, null, options with { Rounds = 1 });
        var two = SelfLabelling.Fit(images, embedded, noisy, 2, null, options);

        var all = Enumerable.Range(0, noisy.Length).ToArray();
        var second = CnnClassifier.Fit(images, all, one.Labels, 2, SelfLabelling.RoundOptions(options, 1));
        var (labels, features) = second.Relabel(images);
        Assert.Equal(labels, two.Labels);
        Assert.Equal(features.Data, two.Features.Data);
        // The confident rows reported are the first round's.
        Assert.Equal(one.ConfidentRows, two.ConfidentRows);
    }

    private static double Accuracy(int[] labels, int[] truth) => labels.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Length;
}
