using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Features;

/// <summary>A trained autoencoder: <see cref="Transform"/> runs the encoder, <see cref="Reconstruct"/> the whole network.</summary>
/// <remarks>
/// Thread-safe: calls share the network's buffers under a lock. Rows go through the network in
/// blocks of at most <see cref="InferenceBlock"/>, computed row by row (<see cref="Network.ForwardInBlocks"/>),
/// so a row's features do not depend on how many other rows came with it: one image served alone,
/// a shard on a worker and the whole training set give the same features bit for bit, and a lone
/// image costs one row's work.
/// </remarks>
public sealed class AutoencoderModel : IFittedTransform
{
    /// <summary>Kind tag in the serialised form.</summary>
    public const string Kind = "autoencoder";
    private const int FormatVersion = 1;

    /// <summary>Rows per forward pass when transforming: enough for the products' 4-row blocking, small enough for the buffers to stay in cache.</summary>
    public const int InferenceBlock = 16;

    private readonly Network _network;
    private readonly Lock _gate = new();

    internal AutoencoderModel(Network network, int encoderLayers, LossFunction loss, double[] trainingLoss, bool stoppedEarly)
    {
        // Inference batches differ from the training batch; rebuild the buffers once for them.
        _network = network.MaxBatch == InferenceBlock ? network : new Network(network.Layers, InferenceBlock);
        EncoderLayers = encoderLayers;
        LossFunction = loss;
        TrainingLoss = trainingLoss;
        StoppedEarly = stoppedEarly;
    }

    /// <summary>The trained network (inference buffers); the device encoder reads its parameters.</summary>
    internal Network Network => _network;

    /// <summary>How many of the network's layers form the encoder.</summary>
    public int EncoderLayers { get; }

    /// <summary>Loss the network was trained with (decides how outputs map to reconstructions).</summary>
    public LossFunction LossFunction { get; }

    /// <summary>Mean reconstruction loss of each training epoch.</summary>
    public double[] TrainingLoss { get; }

    /// <summary>Whether training stopped on the plateau rule before the epoch limit.</summary>
    public bool StoppedEarly { get; }

    /// <summary>Trainable values in the whole network.</summary>
    public long ParameterCount => _network.Parameters.Sum(p => (long)p.Value.Length);

    /// <inheritdoc />
    public int InputDimension => _network.InputShape.Size;

    /// <inheritdoc />
    public int OutputDimension => _network.Layers[EncoderLayers - 1].OutputShape.Size;

    /// <inheritdoc />
    public Matrix Transform(Matrix rows) => Run(rows, EncoderLayers);

    /// <summary>The network's reconstruction of each row (in [0, 1] for cross-entropy models).</summary>
    public Matrix Reconstruct(Matrix rows)
    {
        var output = Run(rows, _network.Layers.Count);
        Loss.Reconstruct(LossFunction, output.Data, output.Data);
        return output;
    }

    /// <inheritdoc />
    public void Save(Stream stream)
    {
        using var writer = new ModelWriter(stream, Kind, FormatVersion);
        writer.Write(EncoderLayers);
        writer.Write((int)LossFunction);
        writer.Write(StoppedEarly ? 1 : 0);
        writer.Write(TrainingLoss);
        _network.Save(writer);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">Corrupted or foreign data.</exception>
    public static AutoencoderModel Load(Stream stream)
    {
        using var reader = new ModelReader(stream, Kind, FormatVersion);
        var encoderLayers = reader.ReadInt32();
        var loss = reader.ReadInt32();
        ModelReader.Require(Enum.IsDefined((LossFunction)loss), $"loss {loss}");
        var stoppedEarly = reader.ReadInt32() != 0;
        var trainingLoss = reader.ReadDoubles();
        var network = Network.Load(reader, InferenceBlock);
        ModelReader.Require(encoderLayers >= 1 && encoderLayers <= network.Layers.Count, $"{encoderLayers} encoder layers of {network.Layers.Count}");
        return new AutoencoderModel(network, encoderLayers, (LossFunction)loss, trainingLoss, stoppedEarly);
    }

    private Matrix Run(Matrix rows, int layerCount)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Cols != InputDimension)
        {
            throw new ArgumentException($"The autoencoder expects {InputDimension} columns, got {rows.Cols}.", nameof(rows));
        }
        lock (_gate)
        {
            return _network.ForwardRows(rows, layerCount);
        }
    }
}
