using Distributed.Ml.Features;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Features;

public class PcaTests
{
    [Fact]
    public void FindsTheAxisOfPointsOnALine()
    {
        // Points on y = x plus an orthogonal wobble uncorrelated with the position along the line:
        // the first axis is exactly (1, 1)/√2.
        var data = new Matrix(4, 2, [0.01f, -0.01f, 0.99f, 1.01f, 1.99f, 2.01f, 3.01f, 2.99f]);
        var model = Pca.Fit(data, new PcaOptions { Components = 1 });
        Assert.Equal(Math.Sqrt(0.5), model.Components[0], 5);
        Assert.Equal(Math.Sqrt(0.5), model.Components[1], 5);
        Assert.True(model.ExplainedVarianceRatio[0] > 0.999);
        var projected = model.Transform(data);
        Assert.Equal(-1.5 * Math.Sqrt(2), projected.Data[0], 4);
    }

    [Fact]
    public void AgreesWithScikitLearn()
    {
        var x = TestData.ReferenceX();
        var model = Pca.Fit(x, new PcaOptions { Components = 2 });
        var variance = TestData.Reference.GetProperty("pca_explained_variance").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var components = TestData.Reference.GetProperty("pca_components").EnumerateArray()
            .SelectMany(r => r.EnumerateArray().Select(v => v.GetDouble())).ToArray();
        for (var i = 0; i < variance.Length; i++)
        {
            Assert.Equal(variance[i], model.ExplainedVariance[i], 3);
        }
        // An axis has no intrinsic sign (scikit-learn's flip rule differs between versions): compare up to sign.
        var d = x.Cols;
        for (var c = 0; c < variance.Length; c++)
        {
            var sign = Math.Sign(components[c * d]) == Math.Sign(model.Components[c * d]) ? 1 : -1;
            for (var j = 0; j < d; j++)
            {
                Assert.Equal(components[c * d + j], sign * model.Components[c * d + j], 3);
            }
        }
    }

    [Fact]
    public void SaveAndLoadGiveTheSameTransform()
    {
        var (data, _) = TestData.Blobs(30, 3, 6, seed: 5);
        var model = Pca.Fit(data, new PcaOptions { Components = 3 });
        var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = PcaModel.Load(stream);
        Assert.Equal(model.Transform(data).Data, loaded.Transform(data).Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ARowProjectsToTheSameBitsAloneOrWithAnyOthers(bool whiten)
    {
        // 5,000 rows of MNIST's width: many tasks' worth, and a short last one. A served image alone,
        // a block of a shard and the whole data set must give each row the same features (a BLAS
        // product gave some rows other bits in a block than in the whole).
        var (data, _) = TestData.Blobs(500, 10, 784, seed: 9);
        var model = Pca.Fit(data, new PcaOptions { Components = 20, Whiten = whiten });
        var whole = model.Transform(data);
        var reference = new float[20];
        for (var i = 0; i < data.Rows; i++)
        {
            var alone = model.Transform(data.SelectRows([i]));
            Assert.True(alone.Data.AsSpan().SequenceEqual(whole.Row(i)), $"row {i} alone");
            // The definition, in double precision: (x − mean) · axes, over √variance when whitening.
            for (var c = 0; c < 20; c++)
            {
                var sum = 0.0;
                for (var j = 0; j < data.Cols; j++)
                {
                    sum += ((double)data.Row(i)[j] - model.Mean[j]) * model.Components[c * data.Cols + j];
                }
                reference[c] = (float)(whiten ? sum / Math.Sqrt(model.ExplainedVariance[c]) : sum);
            }
            for (var c = 0; c < 20; c++)
            {
                Assert.Equal(reference[c], whole.Row(i)[c], 1e-3f);
            }
        }
        foreach (var (first, count) in new[] { (0, 2048), (2048, 2048), (4096, 904), (255, 2), (300, 457), (4999, 1) })
        {
            var block = model.Transform(new Matrix(count, data.Cols, data.RowBlock(first, count).ToArray()));
            Assert.True(block.Data.AsSpan().SequenceEqual(whole.RowBlock(first, count)), $"rows {first}..{first + count}");
        }
    }

    [Fact]
    public void RowsReadBlockByBlockFromASourceFitTheBitsOfTheSameRowsInAMatrix()
    {
        var (data, _) = TestData.Blobs(500, 10, 50, seed: 4);
        var source = new CopyingSource(data);

        var fromSource = Pca.Fit(source, new PcaOptions { Components = 5, Whiten = true });
        var fromMatrix = Pca.Fit(data, new PcaOptions { Components = 5, Whiten = true });

        Assert.Equal(Bytes(fromMatrix), Bytes(fromSource));
        // Two passes (the means, then the covariance) in blocks of 4,096 rows, and no call for all the rows at once.
        Assert.Equal([(0, 4096), (4096, 904), (0, 4096), (4096, 904)], source.Visits);
    }

    [Fact]
    public void RejectsMoreComponentsThanFeatures() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Pca.Fit(new Matrix(5, 2), new PcaOptions { Components = 3 }));

    private static byte[] Bytes(PcaModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }

    /// <summary>A matrix's rows served as a source that holds them elsewhere: each block a fresh copy.</summary>
    private sealed class CopyingSource(Matrix rows) : IRowSource
    {
        public List<(int First, int Count)> Visits { get; } = [];

        public int Rows => rows.Rows;

        public int Cols => rows.Cols;

        public void ForEachBlock(int blockRows, RowBlockVisitor visit)
        {
            for (var first = 0; first < rows.Rows; first += blockRows)
            {
                var count = Math.Min(blockRows, rows.Rows - first);
                Visits.Add((first, count));
                visit(rows.RowBlock(first, count).ToArray(), first, count);
            }
        }

        public Matrix ToMatrix() => throw new InvalidOperationException("PCA passes over its rows; it needs none all at once");
    }
}
