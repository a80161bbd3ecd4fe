using Distributed.Ml.Clustering;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Clustering;

/// <summary>The fast k-means paths against <see cref="ReferenceKMeans"/>.</summary>
public class FastKMeansTests
{
    public static TheoryData<string, int> DataSets => new()
    {
        { "separated", 5 },
        { "overlapping", 6 },
        { "uniform", 7 },
        { "uniform", 1 },
        { "wide", 12 },
        { "wide", 20 },
        { "duplicates", 5 },
        { "few", 6 },
        { "large", 9 },
    };

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(10, 50)]
    [InlineData(17, 7)]
    [InlineData(33, 3)]
    public void KernelDistancesAreTheSequentialFloatSums(int k, int d)
    {
        var data = Uniform(70, d, seed: (ulong)(k * 100 + d));
        var centres = data.SelectRows(Enumerable.Range(3, k).ToArray()).Data;
        var packed = new PackedCentres(centres, k, d);
        var rows = Enumerable.Range(0, data.Rows).Reverse().ToArray();
        var rowNorms = NearestCentre.RowSquaredNorms(data.Data, data.Rows, d);
        var norms = rows.Select(i => rowNorms[i]).ToArray();
        var expanded = new float[rows.Length * packed.Lanes];
        var direct = new float[rows.Length * packed.Lanes];
        packed.SquaredDistances(data.Data, rows, norms, expanded);
        packed.DirectSquaredDistances(data.Data, rows, direct);
        var centreNorms = NearestCentre.RowSquaredNorms(centres, k, d);
        for (var r = 0; r < rows.Length; r++)
        {
            for (var c = 0; c < k; c++)
            {
                var centre = centres.AsSpan(c * d, d);
                Assert.Equal(ReferenceKMeans.ExpandedDistance(data.Row(rows[r]), norms[r], centre, centreNorms[c]), expanded[r * packed.Lanes + c]);
                Assert.Equal(ReferenceKMeans.DirectDistance(data.Row(rows[r]), centre), direct[r * packed.Lanes + c]);
            }
            for (var c = k; c < packed.Lanes; c++)
            {
                Assert.Equal(float.PositiveInfinity, expanded[r * packed.Lanes + c]);
            }
        }
    }

    [Fact]
    public void NearestTwoMatchesAScanWithTiesAndNaN()
    {
        var rng = new Rng(5);
        foreach (var lanes in new[] { 8, 16, 24 })
        {
            for (var trial = 0; trial < 2000; trial++)
            {
                var count = 1 + rng.NextInt(lanes);
                var values = new float[lanes];
                Array.Fill(values, float.PositiveInfinity);
                for (var c = 0; c < count; c++)
                {
                    // Few distinct values, so ties are common; now and then a NaN.
                    values[c] = trial % 97 == 0 && c == count / 2 ? float.NaN : rng.NextInt(6) - 1f;
                }
                var expected = Scan(values.AsSpan(0, count));
                Assert.Equal(expected, NearestCentre.NearestTwo((float[])values.Clone(), count));
            }
        }
    }

    [Theory]
    [MemberData(nameof(DataSets))]
    public void AssignmentMatchesTheScalarReference(string name, int k)
    {
        var data = DataSet(name);
        var centres = KMeansPlusPlus.Choose(data, k, new Rng(3));
        var (labels, distances) = (new int[data.Rows], new float[data.Rows]);
        var (expectedLabels, expectedDistances) = (new int[data.Rows], new float[data.Rows]);
        var inertia = NearestCentre.Assign(data, centres, k, labels, distances);
        var expectedInertia = ReferenceKMeans.Assign(data, centres, k, expectedLabels, expectedDistances);
        Assert.Equal(expectedLabels, labels);
        Assert.Equal(expectedDistances, distances);
        Assert.Equal(expectedInertia, inertia);
    }

    [Theory]
    [MemberData(nameof(DataSets))]
    public void SeedingMatchesTheScalarReference(string name, int k)
    {
        var data = DataSet(name);
        var expected = ReferenceKMeans.KMeansPlusPlus(data, k, new Rng(11));
        Assert.Equal(expected, KMeansPlusPlus.Choose(data, k, new Rng(11)));
        Assert.Equal(expected, KMeansPlusPlus.Choose(data, k, new Rng(11), parallel: false));
    }

    [Theory]
    [MemberData(nameof(DataSets))]
    public void HamerlyMatchesPlainLloyd(string name, int k)
    {
        var data = DataSet(name);
        var tolerance = 1e-4 * KMeans.MeanFeatureVariance(data);
        var norms = NearestCentre.RowSquaredNorms(data.Data, data.Rows, data.Cols);
        foreach (var seed in new ulong[] { 1, 2, 3 })
        {
            var initial = KMeansPlusPlus.Choose(data, k, new Rng(seed));
            var plain = ReferenceKMeans.Lloyd(data, k, (float[])initial.Clone(), 300, tolerance);
            var fast = HamerlyLloyd.Fit(data, k, (float[])initial.Clone(), 300, tolerance, norms, parallel: false);
            Assert.Equal(plain.Iterations, fast.Iterations);
            Assert.Equal(plain.Converged, fast.Converged);
            Assert.Equal(plain.Inertia, fast.Inertia, 1e-9 * plain.Inertia);
            for (var i = 0; i < plain.Centres.Length; i++)
            {
                Assert.Equal(plain.Centres[i], fast.Centres[i], 1e-5f * (1 + Math.Abs(plain.Centres[i])));
            }
            Assert.Equal(Labels(data, plain), Labels(data, fast));

            var parallel = HamerlyLloyd.Fit(data, k, (float[])initial.Clone(), 300, tolerance, norms, parallel: true);
            Assert.Equal(fast.Centres, parallel.Centres);
            Assert.Equal(fast.Inertia, parallel.Inertia);
        }
    }

    [Theory]
    [InlineData("overlapping", 6, 1)]
    [InlineData("uniform", 7, 4)]
    [InlineData("large", 9, 3)]
    public void FitMatchesTheReferenceFit(string name, int k, int restarts)
    {
        var data = DataSet(name);
        var options = new KMeansOptions { Clusters = k, Restarts = restarts, Seed = 21 };
        var expected = ReferenceKMeans.Fit(data, options);
        var result = KMeans.Fit(data, options);
        Assert.Equal(expected.Labels, result.Labels);
        Assert.Equal(expected.Model.Iterations, result.Model.Iterations);
        Assert.Equal(expected.Model.Inertia, result.Model.Inertia, 1e-9 * expected.Model.Inertia);
    }

    private static int[] Labels(Matrix data, KMeansModel model) =>
        model.Predict(data);

    private static (int, float, float) Scan(ReadOnlySpan<float> values)
    {
        var (best, nearest, second) = (0, float.PositiveInfinity, float.PositiveInfinity);
        for (var c = 0; c < values.Length; c++)
        {
            if (values[c] < nearest)
            {
                (second, nearest, best) = (nearest, values[c], c);
            }
            else if (values[c] < second)
            {
                second = values[c];
            }
        }
        return (best, nearest, second);
    }

    private static Matrix DataSet(string name) => name switch
    {
        "separated" => TestData.Blobs(200, 5, 8, seed: 1).Data,
        "overlapping" => TestData.Blobs(300, 6, 10, seed: 2, separation: 1.5).Data,
        "uniform" => Uniform(2000, 3, seed: 3),
        "wide" => Uniform(1500, 20, seed: 4),
        "duplicates" => Duplicates(),
        "few" => new Matrix(8, 1, [0f, 0f, 1f, 1f, 5f, 5f, 9f, 9f]),
        "large" => TestData.Blobs(1000, 9, 50, seed: 5, separation: 2).Data,
        _ => throw new ArgumentException(name, nameof(name)),
    };

    private static Matrix Uniform(int rows, int cols, ulong seed)
    {
        var rng = new Rng(seed);
        var data = new Matrix(rows, cols);
        for (var i = 0; i < data.Data.Length; i++)
        {
            data.Data[i] = rng.NextSingle() * 10 - 3;
        }
        return data;
    }

    // Three distinct points, many copies, and a few outliers: seeding picks copies and clusters empty.
    private static Matrix Duplicates()
    {
        var data = new Matrix(300, 2);
        for (var i = 0; i < data.Rows; i++)
        {
            var point = i % 3;
            data.Row(i)[0] = point * 4;
            data.Row(i)[1] = i % 50 == 0 ? 30 + i / 50 : point;
        }
        return data;
    }
}
