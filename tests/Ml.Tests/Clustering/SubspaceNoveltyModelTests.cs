using Distributed.Ml.Clustering;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Clustering;

public class SubspaceNoveltyModelTests
{
    /// <summary>Points on the x axis at heights ±0.1: the principal axis is x, every residual 0.01.</summary>
    private static Matrix Strip()
    {
        var rows = new Matrix(100, 2);
        for (var i = 0; i < 50; i++)
        {
            rows.Row(2 * i)[0] = i;
            rows.Row(2 * i)[1] = 0.1f;
            rows.Row(2 * i + 1)[0] = i;
            rows.Row(2 * i + 1)[1] = -0.1f;
        }
        return rows;
    }

    [Fact]
    public void AResidualIsTheSquaredDistanceFromThePrincipalSubspace()
    {
        var model = SubspaceNoveltyModel.Fit(Strip(), components: 1, quantile: 1.0);

        Assert.Equal(1, model.ComponentCount);
        Assert.Equal(0.01f, model.Limit, 1e-5f);
        var probes = new Matrix(4, 2, [20f, 0.05f, 20f, 0.5f, 1000f, 0f, 24.5f, -0.3f]);
        var residuals = model.Residuals(probes);
        // Along the axis, however far, is inside the subspace; off it, the squared height counts.
        Assert.Equal([0.0025f, 0.25f, 0f, 0.09f], residuals, (a, b) => Math.Abs(a - b) < 1e-4f);
        Assert.Equal([false, true, false, true], model.IsNovel(probes));
    }

    [Fact]
    public void TheLimitIsTheQuantileOfTheTrainingResiduals()
    {
        var rows = new Matrix(10, 2);
        for (var i = 0; i < 10; i++)
        {
            rows.Row(i)[0] = i;
            rows.Row(i)[1] = (i % 2 == 0 ? 0.05f : -0.05f) * (1 + i * i / 10f);
        }
        var model = SubspaceNoveltyModel.Fit(rows, components: 1, quantile: 0.5);
        var sorted = model.Residuals(rows);
        Array.Sort(sorted);

        Assert.Equal(sorted[4], model.Limit);
        Assert.Equal(5, model.IsNovel(rows).Count(novel => novel));
    }

    /// <summary>A served image's flag must not depend on the images sent with it: past one block of rows too.</summary>
    [Fact]
    public void ARowsResidualIsTheSameToTheBitAloneOrInABatch()
    {
        var (rows, _) = TestData.Blobs(100, 3, 30, seed: 13, separation: 2);
        var model = SubspaceNoveltyModel.Fit(rows, components: 7);
        var together = model.Residuals(rows);
        for (var i = 0; i < rows.Rows; i++)
        {
            var alone = model.Residuals(new Matrix(1, 30, rows.Row(i).ToArray()));
            Assert.Equal(BitConverter.SingleToInt32Bits(together[i]), BitConverter.SingleToInt32Bits(alone[0]));
        }
    }

    [Fact]
    public void MatchesTheProjectionFormulaOnRandomRows()
    {
        var (rows, _) = TestData.Blobs(40, 3, 30, seed: 11, separation: 2);
        var model = SubspaceNoveltyModel.Fit(rows, components: 5);
        var (probes, _) = TestData.Blobs(10, 2, 30, seed: 12, separation: 4);
        var residuals = model.Residuals(probes);
        for (var i = 0; i < probes.Rows; i++)
        {
            // |x − μ|² − Σ ⟨x − μ, a⟩² over the orthonormal axes a, in double.
            var centred = new double[30];
            for (var j = 0; j < 30; j++)
            {
                centred[j] = probes.Row(i)[j] - model.Mean[j];
            }
            var expected = centred.Sum(v => v * v);
            for (var c = 0; c < model.ComponentCount; c++)
            {
                var projection = 0.0;
                for (var j = 0; j < 30; j++)
                {
                    projection += centred[j] * model.Components[c * 30 + j];
                }
                expected -= projection * projection;
            }
            Assert.Equal(expected, residuals[i], expected * 1e-4);
        }
    }

    [Fact]
    public void NotFiniteRowsAreNovel()
    {
        var model = SubspaceNoveltyModel.Fit(Strip(), components: 1);
        Assert.Equal([true, true], model.IsNovel(new Matrix(2, 2, [float.NaN, 0f, 0f, float.PositiveInfinity])));
    }

    [Fact]
    public void SavedModelLoadsTheSame()
    {
        var model = SubspaceNoveltyModel.Fit(Strip(), components: 1, quantile: 0.9);
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = SubspaceNoveltyModel.Load(stream);

        Assert.Equal(model.Mean, loaded.Mean);
        Assert.Equal(model.Components, loaded.Components);
        Assert.Equal(model.Limit, loaded.Limit);
        Assert.Equal(model.Quantile, loaded.Quantile);
    }

    [Fact]
    public void TheSampleIsSeededSortedAndDistinct()
    {
        var sample = SubspaceNoveltyModel.SampleRows(1000, seed: 3, count: 100);

        Assert.Equal(100, sample.Distinct().Count());
        Assert.Equal(sample.Order(), sample);
        Assert.All(sample, row => Assert.InRange(row, 0, 999));
        Assert.Equal(sample, SubspaceNoveltyModel.SampleRows(1000, seed: 3, count: 100));
        Assert.NotEqual(sample, SubspaceNoveltyModel.SampleRows(1000, seed: 4, count: 100));
        Assert.Equal(Enumerable.Range(0, 50), SubspaceNoveltyModel.SampleRows(50, seed: 3, count: 100));
    }
}
