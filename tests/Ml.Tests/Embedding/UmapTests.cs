using Distributed.Ml.Embedding;
using Distributed.Ml.Features;
using Distributed.Ml.Metrics;
using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Tests.Embedding;

public class UmapTests
{
    private static readonly Lazy<(Matrix Data, int[] Labels, UmapModel Model)> s_blobs = new(() =>
    {
        var (data, labels) = TestData.Blobs(250, 4, 20, seed: 7, separation: 10);
        return (data, labels, Umap.Fit(data, new UmapOptions { Seed = 3 }));
    });

    [Fact]
    public void KeepsSeparatedBlobsApartAndNeighboursTrustworthy()
    {
        var (data, labels, model) = s_blobs.Value;
        Assert.Equal(data.Rows, model.Embedding.Rows);
        Assert.Equal(2, model.Embedding.Cols);
        Assert.All(model.Embedding.Data, v => Assert.True(float.IsFinite(v)));
        var centres = Centres(model.Embedding, labels, 4);
        for (var i = 0; i < data.Rows; i++)
        {
            Assert.Equal(labels[i], Nearest(centres, model.Embedding.Row(i)));
        }
        var trust = Trustworthiness.Score(data, model.Embedding, 10);
        Assert.True(trust >= 0.9, $"trustworthiness {trust}");
    }

    [Fact]
    public void SameSeedGivesIdenticalBytes()
    {
        var (data, _) = TestData.Blobs(100, 3, 6, seed: 2, separation: 5);
        var options = new UmapOptions { Epochs = 50, Seed = 11 };
        Assert.Equal(Bytes(Umap.Fit(data, options)), Bytes(Umap.Fit(data, options)));
        Assert.NotEqual(Bytes(Umap.Fit(data, options)), Bytes(Umap.Fit(data, options with { Seed = 12 })));
    }

    [Fact]
    public void TransformPlacesTrainingRowsNearTheirFittedPositions()
    {
        var (data, labels, model) = s_blobs.Value;
        int[] sample = [.. Enumerable.Range(0, 40).Select(i => i * 25)];
        var placed = model.Transform(data.SelectRows(sample));
        var centres = Centres(model.Embedding, labels, 4);
        var preserved = 0.0;
        var shifts = new double[sample.Length];
        for (var s = 0; s < sample.Length; s++)
        {
            Assert.Equal(labels[sample[s]], Nearest(centres, placed.Row(s)));
            var fitted = NearestRows(model.Embedding, model.Embedding.Row(sample[s]), 10);
            var transformed = NearestRows(model.Embedding, placed.Row(s), 10);
            preserved += fitted.Intersect(transformed).Count() / 10.0;
            shifts[s] = Math.Sqrt(SquaredDistance(model.Embedding.Row(sample[s]), placed.Row(s)));
        }
        // Within a blob of isotropic 20-d noise the 2-d arrangement is loose, so the bar is "far
        // better than chance" (10 of 250 = 0.04) and "well inside the blob", not exact recovery.
        preserved /= sample.Length;
        Assert.True(preserved >= 0.25, $"neighbour preservation {preserved}");
        var radius = Math.Sqrt(Enumerable.Range(0, data.Rows).Average(i => SquaredDistance(model.Embedding.Row(i), centres[labels[i]])));
        var median = shifts.Order().ElementAt(shifts.Length / 2);
        Assert.True(median <= 0.75 * radius, $"median shift {median}, blob radius {radius}");
    }

    [Fact]
    public void TransformOfABatchEqualsTransformOfItsParts()
    {
        var (_, _, model) = s_blobs.Value;
        var (fresh, _) = TestData.Blobs(150, 4, 20, seed: 99, separation: 10);
        var whole = model.Transform(fresh);
        var first = model.Transform(fresh.SelectRows([.. Enumerable.Range(0, 217)]));
        var second = model.Transform(fresh.SelectRows([.. Enumerable.Range(217, fresh.Rows - 217)]));
        Assert.Equal(whole.Data, first.Data.Concat(second.Data).ToArray());
        var single = model.Transform(fresh.SelectRows([400]));
        Assert.Equal(whole.Row(400).ToArray(), single.Data);
    }

    [Fact]
    public void SaveAndLoadRoundTrip()
    {
        var (data, _, model) = s_blobs.Value;
        var bytes = Bytes(model);
        var loaded = UmapModel.Load(new MemoryStream(bytes));
        Assert.Equal(bytes, Bytes(loaded));
        Assert.Equal(model.Embedding.Data, loaded.Embedding.Data);
        var rows = data.SelectRows([1, 500, 999]);
        Assert.Equal(model.Transform(rows).Data, loaded.Transform(rows).Data);
    }

    [Fact]
    public void LoadRejectsCorruptedStreams()
    {
        var (_, _, model) = s_blobs.Value;
        var bytes = Bytes(model);
        Assert.Throws<ModelFormatException>(() => UmapModel.Load(new MemoryStream(bytes[..(bytes.Length / 2)])));
        var header = ModelHeaderLength();
        var badCount = (byte[])bytes.Clone();
        BitConverter.GetBytes(-5).CopyTo(badCount, header);
        Assert.Throws<ModelFormatException>(() => UmapModel.Load(new MemoryStream(badCount)));
        var badNeighbours = (byte[])bytes.Clone();
        BitConverter.GetBytes(1).CopyTo(badNeighbours, header + 12);
        Assert.Throws<ModelFormatException>(() => UmapModel.Load(new MemoryStream(badNeighbours)));
        var other = new MemoryStream();
        Pca.Fit(s_blobs.Value.Data, new PcaOptions { Components = 2 }).Save(other);
        Assert.Throws<ModelFormatException>(() => UmapModel.Load(new MemoryStream(other.ToArray())));
    }

    [Fact]
    public void RandomInitialisationAndDisconnectedGraphsWork()
    {
        // Five far-apart blobs give (at least) five components: more than 2·Components, so the start is random.
        var (data, labels) = TestData.Blobs(60, 5, 10, seed: 4, separation: 40);
        foreach (var initialization in new[] { UmapInitialization.Random, UmapInitialization.Spectral })
        {
            var model = Umap.Fit(data, new UmapOptions { Neighbors = 8, Epochs = 200, Initialization = initialization });
            var centres = Centres(model.Embedding, labels, 5);
            var correct = Enumerable.Range(0, data.Rows).Count(i => Nearest(centres, model.Embedding.Row(i)) == labels[i]);
            Assert.True(correct >= data.Rows * 0.95, $"{initialization}: {correct} of {data.Rows}");
        }
    }

    [Fact]
    public void HandlesSetsSmallerThanTheNeighbourhood()
    {
        var data = new Matrix(5, 3, [0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f, 0f, 5f, 5f, 5f, 5f, 6f, 5f]);
        var model = Umap.Fit(data, new UmapOptions { Epochs = 30 });
        Assert.Equal(5, model.Neighbors);
        Assert.All(model.Embedding.Data, v => Assert.True(float.IsFinite(v)));
        Assert.All(model.Transform(data).Data, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void AcceptsAPrecomputedNeighbourGraph()
    {
        var (data, _) = TestData.Blobs(80, 2, 5, seed: 6, separation: 6);
        var options = new UmapOptions { Neighbors = 6, Epochs = 40 };
        var graph = ExactNeighbors.Build(data, 5);
        Assert.Equal(Bytes(Umap.Fit(data, options)), Bytes(Umap.Fit(data, graph, options)));
        Assert.Throws<ArgumentException>(() => Umap.Fit(data, ExactNeighbors.Build(data, 4), options));
    }

    [Fact]
    public void ExposesItsShape()
    {
        var (_, _, model) = s_blobs.Value;
        Assert.Equal(20, model.InputDimension);
        Assert.Equal(2, model.OutputDimension);
        Assert.Equal(15, model.Neighbors);
        Assert.Equal(1.577, model.A, 3);
        Assert.Throws<ArgumentException>(() => model.Transform(new Matrix(1, 3)));
    }

    private static byte[] Bytes(UmapModel model)
    {
        var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }

    /// <summary>Magic (4), kind string ("umap" with its 1-byte length), version (4).</summary>
    private static int ModelHeaderLength() => 4 + 1 + UmapModel.Kind.Length + 4;

    private static double[][] Centres(Matrix embedding, int[] labels, int count)
    {
        var centres = new double[count][];
        for (var c = 0; c < count; c++)
        {
            var members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray();
            centres[c] = Enumerable.Range(0, embedding.Cols).Select(d => members.Average(i => (double)embedding.Row(i)[d])).ToArray();
        }
        return centres;
    }

    private static int Nearest(double[][] centres, ReadOnlySpan<float> point)
    {
        var best = -1;
        var bestDistance = double.PositiveInfinity;
        for (var c = 0; c < centres.Length; c++)
        {
            var distance = 0.0;
            for (var d = 0; d < point.Length; d++)
            {
                distance += (point[d] - centres[c][d]) * (point[d] - centres[c][d]);
            }
            if (distance < bestDistance)
            {
                (best, bestDistance) = (c, distance);
            }
        }
        return best;
    }

    private static double SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var sum = 0.0;
        for (var d = 0; d < x.Length; d++)
        {
            sum += (x[d] - y[d]) * (x[d] - y[d]);
        }
        return sum;
    }

    private static double SquaredDistance(ReadOnlySpan<float> x, double[] y)
    {
        var sum = 0.0;
        for (var d = 0; d < x.Length; d++)
        {
            sum += (x[d] - y[d]) * (x[d] - y[d]);
        }
        return sum;
    }

    private static int[] NearestRows(Matrix embedding, ReadOnlySpan<float> point, int count)
    {
        var distances = new double[embedding.Rows];
        for (var i = 0; i < embedding.Rows; i++)
        {
            var row = embedding.Row(i);
            for (var d = 0; d < row.Length; d++)
            {
                distances[i] += (row[d] - point[d]) * (row[d] - point[d]);
            }
        }
        return [.. Enumerable.Range(0, embedding.Rows).OrderBy(i => distances[i]).Take(count)];
    }
}
