using System.Text.Json;
using Distributed.Ml.Clustering;
using Distributed.Ml.Metrics;
using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Tests.Clustering;

/// <summary>Reference values come from scikit-learn via tests/fixtures/make_gmm_fixture.py.</summary>
public class GaussianMixtureTests
{
    private const double Ridge = 1e-6;
    private static readonly JsonElement s_reference = JsonDocument.Parse(File.ReadAllText(TestData.Fixture("gmm_reference.json"))).RootElement;

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void ScoreSamplesAndPredictMatchScikitLearn(CovarianceType type)
    {
        var reference = Reference(type);
        var model = new GaussianMixtureModel(Doubles(reference, "weights"), Doubles(reference, "means"), Doubles(reference, "covariances"), 3, 3, type);
        var x = ReferenceX();
        AssertClose(Doubles(reference, "score_samples"), model.ScoreSamples(x), 1e-9);
        Assert.Equal(reference.GetProperty("score").GetDouble(), model.MeanLogLikelihood(x), 1e-9);
        Assert.Equal(Ints(reference, "predict"), model.Predict(x));
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void FitFromFollowsScikitLearnsEmPath(CovarianceType type)
    {
        var reference = Reference(type);
        var maxIterations = s_reference.GetProperty("max_iter").GetInt32();
        var initial = new GaussianMixtureModel(Doubles(reference, "weights_init"), Doubles(reference, "means_init"), Doubles(reference, "covariances_init"), 3, 3, type);
        var x = ReferenceX();
        var result = GaussianMixture.FitFrom(x, initial, new GaussianMixtureOptions { MaxIterations = maxIterations, Tolerance = 0, Ridge = Ridge });
        var model = result.Model;
        Assert.Equal(maxIterations, model.Iterations);
        Assert.False(model.Converged);
        Assert.Equal(maxIterations, model.LogLikelihoodTrace.Length);
        Assert.Equal(reference.GetProperty("lower_bound").GetDouble(), model.LogLikelihoodTrace[^1], 1e-9);
        Assert.Equal(reference.GetProperty("score").GetDouble(), model.LogLikelihood, 1e-9);
        AssertClose(Doubles(reference, "weights"), model.Weights, 1e-8);
        AssertClose(Doubles(reference, "means"), model.Means, 1e-8);
        AssertClose(Doubles(reference, "covariances"), model.Covariances, 1e-8);
        Assert.Equal(Ints(reference, "predict"), result.Labels);
        for (var i = 1; i < model.LogLikelihoodTrace.Length; i++)
        {
            Assert.True(model.LogLikelihoodTrace[i] >= model.LogLikelihoodTrace[i - 1] - 1e-12, "EM never lowers the likelihood");
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full, 3 * 6 + 9 + 2)]
    [InlineData(CovarianceType.Diagonal, 3 * 3 + 9 + 2)]
    public void BicMatchesScikitLearn(CovarianceType type, int parameters)
    {
        var reference = Reference(type);
        var model = new GaussianMixtureModel(Doubles(reference, "weights"), Doubles(reference, "means"), Doubles(reference, "covariances"), 3, 3, type);
        Assert.Equal(parameters, model.ParameterCount);
        var bic = reference.GetProperty("bic").GetDouble();
        Assert.Equal(bic, model.Bic(ReferenceX()), Math.Abs(bic) * 1e-9);
    }

    [Theory]
    [InlineData(CovarianceType.Full, 1UL)]
    [InlineData(CovarianceType.Full, 2UL)]
    [InlineData(CovarianceType.Diagonal, 3UL)]
    public void RecoversSeparatedBlobs(CovarianceType type, ulong seed)
    {
        var (data, labels) = TestData.Blobs(200, 5, 8, seed);
        var result = GaussianMixture.Fit(data, new GaussianMixtureOptions { Clusters = 5, CovarianceType = type, Seed = seed });
        Assert.Equal(1.0, AdjustedRandIndex.Score(labels, result.Labels));
        Assert.True(result.Model.Converged);
        Assert.Equal(result.Labels, result.Model.Predict(data));
        Assert.Equal(result.Model.MeanLogLikelihood(data), result.Model.LogLikelihood, 12);
        foreach (var weight in result.Model.Weights)
        {
            Assert.Equal(0.2, weight, 6);
        }
    }

    [Fact]
    public void ProbabilitiesAreNormalisedAndAgreeWithPredict()
    {
        var (data, _) = TestData.Blobs(400, 3, 4, seed: 5, separation: 3);
        var model = GaussianMixture.Fit(data, new GaussianMixtureOptions { Clusters = 3 }).Model;
        var probabilities = model.PredictProba(data);
        var labels = model.Predict(data);
        Assert.Equal(data.Rows, probabilities.Rows);
        Assert.Equal(3, probabilities.Cols);
        for (var i = 0; i < data.Rows; i++)
        {
            var row = probabilities.Row(i);
            Assert.Equal(1.0, row[0] + row[1] + row[2], 5);
            Assert.Equal(row[labels[i]], row.ToArray().Max());
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void SameSeedGivesByteIdenticalModel(CovarianceType type)
    {
        var (data, _) = TestData.Blobs(700, 4, 5, seed: 9, separation: 3);
        var options = new GaussianMixtureOptions { Clusters = 4, CovarianceType = type, Restarts = 2, Seed = 17 };
        var a = GaussianMixture.Fit(data, options);
        var b = GaussianMixture.Fit(data, options);
        Assert.Equal(Bytes(a.Model), Bytes(b.Model));
        Assert.Equal(a.Labels, b.Labels);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void StatisticsOfShardsMergeToTheWholeAndGiveOneEmStep(CovarianceType type)
    {
        var (data, _) = TestData.Blobs(1000, 3, 4, seed: 4, separation: 3);
        var model = GaussianMixture.Fit(data, new GaussianMixtureOptions { Clusters = 3, CovarianceType = type, MaxIterations = 2 }).Model;
        var whole = GaussianMixtureStatistics.Compute(data, model);
        var merged = new GaussianMixtureStatistics(3, 4, type);
        foreach (var (start, count) in new[] { (0, 1300), (1300, 1700) })
        {
            var shard = new GaussianMixtureStatistics(3, 4, type);
            shard.Accumulate(data, start, count, model);
            merged.Merge(shard);
        }
        Assert.Equal(whole.Rows, merged.Rows);
        Assert.Equal(whole.LogLikelihood, merged.LogLikelihood, Math.Abs(whole.LogLikelihood) * 1e-9);
        Assert.Equal(data.Rows, whole.Responsibilities.Sum(), 6);
        AssertClose(whole.Responsibilities, merged.Responsibilities, 1e-9);
        AssertClose(whole.FirstMoments, merged.FirstMoments, 1e-9);
        AssertClose(whole.SecondMoments, merged.SecondMoments, 1e-9);

        var mStep = merged.ToModel(Ridge);
        var emStep = GaussianMixture.FitFrom(data, model, new GaussianMixtureOptions { MaxIterations = 1, Ridge = Ridge }).Model;
        Assert.Equal(whole.MeanLogLikelihood, emStep.LogLikelihoodTrace.Single(), 1e-9);
        AssertClose(emStep.Weights, mStep.Weights, 1e-9);
        AssertClose(emStep.Means, mStep.Means, 1e-9);
        AssertClose(emStep.Covariances, mStep.Covariances, 1e-9);
    }

    [Fact]
    public void StatisticsFromLabelsAreTheClusterMoments()
    {
        var x = new Matrix(4, 2, [0f, 0f, 2f, 2f, 10f, 10f, 10f, 12f]);
        var statistics = GaussianMixtureStatistics.FromLabels(x, [0, 0, 1, 1], 2, CovarianceType.Full);
        Assert.Equal(new[] { 2.0, 2.0 }, statistics.Responsibilities);
        Assert.Equal(new[] { 2.0, 2.0, 20.0, 22.0 }, statistics.FirstMoments);
        Assert.Equal(new[] { 4.0, 4.0, 4.0, 4.0, 200.0, 220.0, 220.0, 244.0 }, statistics.SecondMoments);
        var model = statistics.ToModel(0.5);
        AssertClose([0.5, 0.5], model.Weights, 1e-12);
        AssertClose([1.0, 1.0, 10.0, 11.0], model.Means, 1e-12);
        AssertClose([1.5, 1.0, 1.0, 1.5, 0.5, 0.0, 0.0, 1.5], model.Covariances, 1e-12);
    }

    [Theory]
    [InlineData(CovarianceType.Full, 7)]
    [InlineData(CovarianceType.Full, 4)]
    [InlineData(CovarianceType.Diagonal, 5)]
    public void ScoreSamplesAndMomentsAgreeWithDirectFormulas(CovarianceType type, int d)
    {
        // 2501 rows: several blocks, the last one partial and not a whole number of SIMD vectors.
        var (data, labels) = TestData.Blobs(834, 3, d, seed: 6, separation: 2);
        data = new Matrix(2501, d, data.Data[..(2501 * d)]);
        labels = labels[..2501];
        var model = GaussianMixtureStatistics.FromLabels(data, labels, 3, type).ToModel(Ridge);

        var sums = new double[3];
        var first = new double[3 * d];
        var second = new double[type == CovarianceType.Full ? 3 * d * d : 3 * d];
        for (var i = 0; i < data.Rows; i++)
        {
            var c = labels[i];
            var x = data.Row(i);
            sums[c]++;
            for (var l = 0; l < d; l++)
            {
                first[c * d + l] += x[l];
                if (type == CovarianceType.Diagonal)
                {
                    second[c * d + l] += (double)x[l] * x[l];
                    continue;
                }
                for (var j = 0; j < d; j++)
                {
                    second[(c * d + l) * d + j] += (double)x[l] * x[j];
                }
            }
        }
        var statistics = GaussianMixtureStatistics.FromLabels(data, labels, 3, type);
        Assert.Equal(sums, statistics.Responsibilities);
        AssertClose(first, statistics.FirstMoments, 1e-12);
        AssertClose(second, statistics.SecondMoments, 1e-12);

        var scores = model.ScoreSamples(data);
        for (var i = 0; i < data.Rows; i += 97)
        {
            var density = 0.0;
            for (var c = 0; c < 3; c++)
            {
                density += model.Weights[c] * DirectDensity(model, c, data.Row(i));
            }
            Assert.Equal(Math.Log(density), scores[i], 1e-9);
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void SaveAndLoadRoundTrip(CovarianceType type)
    {
        var (data, _) = TestData.Blobs(100, 3, 4, seed: 2);
        var model = GaussianMixture.Fit(data, new GaussianMixtureOptions { Clusters = 3, CovarianceType = type }).Model;
        var loaded = GaussianMixtureModel.Load(new MemoryStream(Bytes(model)));
        Assert.Equal(type, loaded.CovarianceType);
        Assert.Equal(model.Weights, loaded.Weights);
        Assert.Equal(model.Means, loaded.Means);
        Assert.Equal(model.Covariances, loaded.Covariances);
        Assert.Equal(model.LogLikelihoodTrace, loaded.LogLikelihoodTrace);
        Assert.Equal(model.LogLikelihood, loaded.LogLikelihood);
        Assert.Equal(model.Iterations, loaded.Iterations);
        Assert.Equal(model.Converged, loaded.Converged);
        Assert.Equal(model.ScoreSamples(data), loaded.ScoreSamples(data));
        Assert.Equal(Bytes(model), Bytes(loaded));
    }

    [Fact]
    public void LoadRejectsForeignTruncatedAndInconsistentStreams()
    {
        var (data, _) = TestData.Blobs(50, 2, 2, seed: 3);
        var kmeans = new MemoryStream();
        KMeans.Fit(data, new KMeansOptions { Clusters = 2 }).Model.Save(kmeans);
        Assert.Throws<ModelFormatException>(() => GaussianMixtureModel.Load(new MemoryStream(kmeans.ToArray())));
        Assert.Throws<ModelFormatException>(() => GaussianMixtureModel.Load(new MemoryStream("not a model"u8.ToArray())));

        var bytes = Bytes(GaussianMixture.Fit(data, new GaussianMixtureOptions { Clusters = 2, CovarianceType = CovarianceType.Diagonal }).Model);
        Assert.Throws<ModelFormatException>(() => GaussianMixtureModel.Load(new MemoryStream(bytes[..^20])));
        // The file ends with the variances, then the trace (a 4-byte length and its values): make the last variance negative.
        var traceLength = GaussianMixtureModel.Load(new MemoryStream(bytes)).LogLikelihoodTrace.Length;
        var lastVariance = bytes.Length - 8 * traceLength - 4 - 8;
        BitConverter.GetBytes(-1.0).CopyTo(bytes, lastVariance);
        Assert.Throws<ModelFormatException>(() => GaussianMixtureModel.Load(new MemoryStream(bytes)));
    }

    [Fact]
    public void RejectsCovarianceThatIsNotPositiveDefinite()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new GaussianMixtureModel([1.0], [0.0, 0.0], [1.0, 2.0, 2.0, 1.0], 1, 2, CovarianceType.Full));
        Assert.Contains("positive definite", error.Message);
    }

    [Theory]
    [InlineData("Clusters", 0)]
    [InlineData("Clusters", 11)]
    [InlineData("Restarts", 0)]
    [InlineData("MaxIterations", 0)]
    [InlineData("Tolerance", -1)]
    [InlineData("Tolerance", double.NaN)]
    [InlineData("Ridge", -1e-6)]
    [InlineData("CovarianceType", 7)]
    public void InvalidOptionsThrow(string option, double value)
    {
        var (data, _) = TestData.Blobs(5, 2, 2, seed: 1);
        var options = option switch
        {
            "Clusters" => new GaussianMixtureOptions { Clusters = (int)value },
            "Restarts" => new GaussianMixtureOptions { Restarts = (int)value },
            "MaxIterations" => new GaussianMixtureOptions { MaxIterations = (int)value },
            "Tolerance" => new GaussianMixtureOptions { Tolerance = value },
            "Ridge" => new GaussianMixtureOptions { Ridge = value },
            _ => new GaussianMixtureOptions { CovarianceType = (CovarianceType)(int)value },
        };
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMixture.Fit(data, options));
    }

    private static JsonElement Reference(CovarianceType type) => s_reference.GetProperty(type == CovarianceType.Full ? "full" : "diag");

    private static double[] Doubles(JsonElement element, string name) => element.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static int[] Ints(JsonElement element, string name) => element.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static Matrix ReferenceX()
    {
        var rows = s_reference.GetProperty("X").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        return new Matrix(rows.Length, rows[0].Length, rows.SelectMany(r => r).ToArray());
    }

    /// <summary>N(x | μ_c, Σ_c) by Gaussian elimination on Σ, independent of the model's Cholesky factors.</summary>
    private static double DirectDensity(GaussianMixtureModel model, int c, ReadOnlySpan<float> x)
    {
        var d = model.Dimension;
        var a = new double[d, d + 1];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                a[i, j] = model.CovarianceType == CovarianceType.Full ? model.Covariances[(c * d + i) * d + j] : i == j ? model.Covariances[c * d + i] : 0;
            }
            a[i, d] = x[i] - model.Means[c * d + i];
        }
        var determinant = 1.0;
        for (var p = 0; p < d; p++)
        {
            determinant *= a[p, p];
            for (var i = p + 1; i < d; i++)
            {
                var factor = a[i, p] / a[p, p];
                for (var j = p; j <= d; j++)
                {
                    a[i, j] -= factor * a[p, j];
                }
            }
        }
        var solution = new double[d];
        for (var i = d - 1; i >= 0; i--)
        {
            var sum = a[i, d];
            for (var j = i + 1; j < d; j++)
            {
                sum -= a[i, j] * solution[j];
            }
            solution[i] = sum / a[i, i];
        }
        var quadratic = 0.0;
        for (var i = 0; i < d; i++)
        {
            quadratic += (x[i] - model.Means[c * d + i]) * solution[i];
        }
        return Math.Exp(-0.5 * quadratic) / Math.Sqrt(Math.Pow(2 * Math.PI, d) * determinant);
    }

    private static byte[] Bytes(GaussianMixtureModel model)
    {
        var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }

    /// <summary>Element-wise agreement relative to the largest magnitude in <paramref name="expected"/>.</summary>
    private static void AssertClose(double[] expected, double[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(expected.Max(Math.Abs), 1e-300);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale, $"[{i}] expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
