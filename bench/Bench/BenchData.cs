using System.Text.Json.Nodes;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;

namespace Distributed.Bench;

/// <summary>
/// The prepared inputs in the work directory (written once by <see cref="Prepare"/>, read by both
/// sides): <c>config.json</c>, <c>features.npy</c> (float32 rows × 50, PCA of the images),
/// <c>labels.npy</c> (true digits), <c>pseudo_labels.npy</c> (k-means clusters),
/// <c>train_idx.npy</c>/<c>test_idx.npy</c> (the 80/20 split), <c>rows.npy</c> (which source images),
/// <c>pixels.npy</c> (float32 rows × 784, the images themselves scaled to [0, 1]),
/// <c>known_labels.npy</c> (int32: the true digit of a seeded 10% of the rows, −1 elsewhere).
/// Files are loaded on first use.
/// </summary>
internal sealed class BenchData(string workDirectory)
{
    public const string ConfigFile = "config.json";
    public const string FeaturesFile = "features.npy";
    public const string LabelsFile = "labels.npy";
    public const string PseudoLabelsFile = "pseudo_labels.npy";
    public const string TrainIndexFile = "train_idx.npy";
    public const string TestIndexFile = "test_idx.npy";
    public const string SourceRowsFile = "rows.npy";
    public const string PixelsFile = "pixels.npy";
    public const string KnownLabelsFile = "known_labels.npy";

    private Matrix? _features;
    private Matrix? _pixels;
    private int[]? _pseudoLabels;
    private int[]? _trainRows;
    private int[]? _testRows;
    private JsonObject? _config;

    public string WorkDirectory { get; } = workDirectory;

    /// <summary>The shared seed of both sides (config <c>seed</c>).</summary>
    public ulong Seed => Config["seed"]!.GetValue<ulong>();

    /// <summary>How many single-row predictions latency entries time (config <c>single_row_predictions</c>).</summary>
    public int SingleRowPredictions => Config["single_row_predictions"]!.GetValue<int>();

    /// <summary>Training epochs the autoencoder entries time (config <c>autoencoder_epochs</c>).</summary>
    public int AutoencoderEpochs => Config["autoencoder_epochs"]!.GetValue<int>();

    public Matrix Features => _features ??= ReadMatrix(FeaturesFile);

    /// <summary>The prepared images themselves, one row of 784 pixels in [0, 1] per image.</summary>
    public Matrix Pixels => _pixels ??= ReadMatrix(PixelsFile);

    public int[] PseudoLabels => _pseudoLabels ??= ReadInt32(PseudoLabelsFile);

    public int[] TrainRows => _trainRows ??= ReadInt32(TrainIndexFile);

    public int[] TestRows => _testRows ??= ReadInt32(TestIndexFile);

    private JsonObject Config => _config ??= JsonNode.Parse(File.ReadAllText(PathOf(ConfigFile)))!.AsObject();

    public string PathOf(string file) => Path.Combine(WorkDirectory, file);

    public int[] ReadInt32(string file) => Read(file).ToInt32();

    public Matrix ReadMatrix(string file)
    {
        var array = Read(file);
        if (array.Shape.Length != 2)
        {
            throw new InvalidOperationException($"{PathOf(file)}: expected a 2-d array, got shape {array.ShapeText}");
        }
        return new Matrix(checked((int)array.Shape[0]), checked((int)array.Shape[1]), array.ToSingle());
    }

    public void Write(string file, int[] values) => WriteAtomically(file, s => NpyWriter.Write(s, values, values.Length));

    public void Write(string file, Matrix matrix) => WriteAtomically(file, s => NpyWriter.Write(s, matrix.Data, matrix.Rows, matrix.Cols));

    public void WriteText(string file, string text) => WriteAtomically(file, s =>
    {
        using var writer = new StreamWriter(s, leaveOpen: true);
        writer.Write(text);
    });

    private NumericArray Read(string file)
    {
        using var stream = File.OpenRead(PathOf(file));
        return NpyReader.Read(stream);
    }

    private void WriteAtomically(string file, Action<Stream> write)
    {
        var target = PathOf(file);
        var temporary = target + ".tmp";
        using (var stream = File.Create(temporary))
        {
            write(stream);
        }
        File.Move(temporary, target, overwrite: true);
    }
}
