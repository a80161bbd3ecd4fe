using System.Text.Json;
using Distributed.Grains.Jobs;
using Distributed.Grains.Serving;
using Distributed.Grains.Storage;

namespace Distributed.Grains.Tests.Jobs;

/// <summary>Naming clusters: the rules for names, a new model version with the stages unchanged, and names in predictions.</summary>
public sealed class NamingJobTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("3=three", "cluster 3 does not exist (the model has clusters 0 to 2)")]
    [InlineData("0=zero,0=nought", "cluster 0 is named twice")]
    [InlineData("1= ", "cluster 1 has an empty name")]
    [InlineData("one=1", "'one=1' is not <cluster id>=<name>")]
    [InlineData(",", "no names given")]
    public void BadNamesAreRefusedWithTheReason(string names, string reason)
    {
        var problem = Assert.Throws<ArgumentException>(() => NamingJob.Parse(names, clusters: 3));
        Assert.Equal(reason, problem.Message);
    }

    [Fact]
    public void NamesComeFromAJsonFileOrInline()
    {
        var file = _temp.File("names.json");
        File.WriteAllText(file, """{"0": "zero", "2": "two"}""");
        Assert.Equal(new Dictionary<int, string> { [0] = "zero", [2] = "two" }, NamingJob.Parse(file, 3));
        Assert.Equal(new Dictionary<int, string> { [0] = "seven", [1] = "seven" }, NamingJob.Parse(" 0=seven , 1=seven ", 3));
    }

    [Fact]
    public void NamingWritesANewVersionWithTheSameStagesAndPredictionsCarryTheNames()
    {
        var run = CopyRun();
        var (before, after) = NamingJob.Run(run, "0=seven,1=seven,2=one");

        Assert.NotEqual(before.ModelVersion, after.ModelVersion);
        Assert.Equal(before.Stages, after.Stages);
        var (_, loaded) = ModelBundle.Load(Path.Combine(run, JobOutputs.Model));
        Assert.Equal(after.ModelVersion, loaded.ModelVersion);
        Assert.Equal(new Dictionary<int, string> { [0] = "seven", [1] = "seven", [2] = "one" }, loaded.ClusterNames);

        var names = _temp.File("names.json");
        var prediction = PredictionJob.Run(Path.Combine(run, JobOutputs.Model), TrainedModels.Instance.Images, _temp.File("pred.npy"), namesPath: names);
        var written = JsonSerializer.Deserialize<string[]>(File.ReadAllText(names))!;
        Assert.Equal(prediction.Clusters.Select(c => c == 2 ? "one" : "seven"), written);

        // Clusters that share a name add their probabilities.
        var labels = ClusterLabels.Of(prediction, loaded.ClusterNames)!;
        Assert.Equal(["seven", "one"], labels.Names);
        for (var i = 0; i < prediction.Clusters.Length; i++)
        {
            var row = prediction.Probabilities.Row(i);
            var seven = 0f;
            var one = 0f;
            for (var c = 0; c < row.Length; c++)
            {
                if (prediction.ClusterIds[c] == 2)
                {
                    one += row[c];
                }
                else
                {
                    seven += row[c];
                }
            }
            Assert.Equal(seven, labels.Probabilities[i][0], 6);
            Assert.Equal(one, labels.Probabilities[i][1], 6);
        }
    }

    [Fact]
    public void NamesAreAskedOnlyOfANamedModel()
    {
        var problem = Assert.Throws<ModelBundleException>(() =>
            PredictionJob.Run(TrainedModels.Instance.First, TrainedModels.Instance.Images, _temp.File("pred.npy"), namesPath: _temp.File("names.txt")));
        Assert.Contains("have no names yet", problem.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.File("pred.npy")));
    }

    /// <summary>A run directory of its own (its model is replaced by naming).</summary>
    private string CopyRun()
    {
        var run = _temp.File("run");
        Apis.PredictorApiTests.CopyDirectory(TrainedModels.Instance.First, Path.Combine(run, JobOutputs.Model));
        return run;
    }
}
