using Distributed.Ml.Numerics;
using Distributed.Ml.Refinement;

namespace Distributed.Ml.Tests.Refinement;

public class CnnClassifierTests
{
    private static readonly CnnClassifierOptions Quick = new() { Epochs = 3, MinRelativeImprovement = 0, Seed = 5 };

    private static CnnClassifierModel Train(Matrix images, int[] labels, CnnClassifierOptions? options = null) =>
        CnnClassifier.Fit(images, Enumerable.Range(0, images.Rows).ToArray(), labels, 2, options ?? Quick);

    [Fact]
    public void LearnsBarOrientationAndGeneralisesToNewImages()
    {
        var (images, labels) = BarImages.Make(1200, 1);
        var model = Train(images, labels);
        var (fresh, truth) = BarImages.Make(400, 2);
        var predicted = model.Predict(fresh);
        var accuracy = predicted.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Length;
        Assert.True(accuracy > 0.95, $"accuracy {accuracy}");
        Assert.Equal(3, model.TrainingLoss.Length);
        Assert.True(model.TrainingLoss[^1] < model.TrainingLoss[0], string.Join(", ", model.TrainingLoss));
    }

    [Fact]
    public void ACancelledTrainingStopsWithinTheEpochItWasCancelledIn()
    {
        var (images, labels) = BarImages.Make(200, 4);
        using var cancel = new CancellationTokenSource();
        var epochs = 0;
        Assert.Throws<OperationCanceledException>(() => CnnClassifier.Fit(images, Enumerable.Range(0, images.Rows).ToArray(), labels, 2, Quick with { Epochs = 5 },
            _ => { epochs++; cancel.Cancel(); }, cancel.Token));
        Assert.Equal(1, epochs);
    }

    [Fact]
    public void AnImagesOutputsDoNotDependOnTheOthersInItsCall()
    {
        // What relabelling shards and serving one image rely on: the same bits alone and in the whole set.
        var (images, labels) = BarImages.Make(200, 3);
        var model = Train(images, labels, Quick with { Epochs = 1 });
        var all = model.Classify(images);
        var some = model.Classify(images.SelectRows([37, 38, 39]));
        Assert.Equal(all.Labels[37..40], some.Labels);
        Assert.Equal(all.Features.RowBlock(37, 3).ToArray(), some.Features.Data);
        Assert.Equal(all.Probabilities.RowBlock(37, 3).ToArray(), some.Probabilities.Data);
        var alone = model.Classify(images.SelectRows([199]));
        Assert.Equal(all.Labels[199], alone.Labels[0]);
        Assert.Equal(all.Features.Row(199).ToArray(), alone.Features.Data);
        Assert.Equal(all.Probabilities.Row(199).ToArray(), alone.Probabilities.Data);
    }

    [Fact]
    public void ClassifyLabelsEachImageWithItsMostProbableClassAndGivesTheTransformsFeatures()
    {
        var (images, labels) = BarImages.Make(120, 5);
        var model = Train(images, labels, Quick with { Epochs = 1 });
        var classification = model.Classify(images);
        Assert.Equal(model.Transform(images).Data, classification.Features.Data);
        for (var i = 0; i < images.Rows; i++)
        {
            // The largest logit's class is the largest probability's, the lowest on a tie.
            Assert.Equal(System.Numerics.Tensors.TensorPrimitives.IndexOfMax(classification.Probabilities.Row(i)), classification.Labels[i]);
        }
    }

    [Fact]
    public void TheSameSeedTrainsTheSameNetworkAndItSurvivesSaving()
    {
        var (images, labels) = BarImages.Make(200, 4);
        var first = Train(images, labels, Quick with { Epochs = 1 });
        var second = Train(images, labels, Quick with { Epochs = 1 });
        Assert.Equal(first.Classify(images).Probabilities.Data, second.Classify(images).Probabilities.Data);

        using var stream = new MemoryStream();
        first.Save(stream);
        stream.Position = 0;
        var loaded = CnnClassifierModel.Load(stream);
        Assert.Equal(first.Classify(images).Probabilities.Data, loaded.Classify(images).Probabilities.Data);
        Assert.Equal(first.TrainingLoss, loaded.TrainingLoss);
        Assert.Equal(CnnClassifier.FeatureWidth, loaded.OutputDimension);
    }

    [Fact]
    public void ProbabilitiesSumToOne()
    {
        var (images, labels) = BarImages.Make(100, 6);
        var probabilities = Train(images, labels, Quick with { Epochs = 1 }).Classify(images).Probabilities;
        for (var i = 0; i < probabilities.Rows; i++)
        {
            Assert.Equal(1.0, probabilities.Row(i).ToArray().Sum(), 5);
        }
    }

    [Fact]
    public void ClassWeightsMakeEveryClassWeighTheSame()
    {
        // 3 images of class 0 and 1 of class 1 (class 2 absent): 4 / (2 · 3) and 4 / (2 · 1).
        var weights = CnnClassifier.ClassWeights([0, 0, 1, 0], 3);
        Assert.Equal(4.0 / 6, weights[0], 6);
        Assert.Equal(2.0, weights[1], 6);
        Assert.Equal(0.0, weights[2]);
    }

    [Fact]
    public void TheCosineScheduleFallsFromTheFullStepToZeroOverTheBatches()
    {
        var options = new CnnClassifierOptions { LearningRate = 0.002f };
        Assert.Equal(0.002f, CnnClassifier.StepSize(options, 0, 100), 7);
        Assert.Equal(0.001f, CnnClassifier.StepSize(options, 50, 100), 7);
        Assert.Equal(0.002f * 0.5f * (1 + MathF.Cos(MathF.PI * 0.75f)), CnnClassifier.StepSize(options, 75, 100), 6);
        Assert.True(CnnClassifier.StepSize(options, 99, 100) is > 0f and < 1e-5f);
        Assert.Equal(0.002f, CnnClassifier.StepSize(options with { Schedule = LearningRateSchedule.Constant }, 99, 100));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    public void SmoothingOutsideZeroToOneIsRefused(double smoothing)
    {
        var (images, labels) = BarImages.Make(8, seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            CnnClassifier.Fit(images, Enumerable.Range(0, images.Rows).ToArray(), labels, 2, new CnnClassifierOptions { LabelSmoothing = smoothing }));
    }

    [Fact]
    public void ImagesThatAreNotSquareAreRefused() =>
        Assert.Throws<ArgumentException>(() => CnnClassifier.SideOf(300));
}
