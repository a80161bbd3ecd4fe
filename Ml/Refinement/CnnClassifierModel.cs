using System.Collections.Concurrent;
using Distributed.Ml.Features;
using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Refinement;

/// <summary>
/// A trained self-labelling CNN: <see cref="Classify"/> gives every image's class, class
/// probabilities and penultimate activations, <see cref="Transform"/> the activations alone
/// (features a forest can learn from).
/// </summary>
/// <remarks>
/// Thread-safe without a lock: layers keep scratch buffers, so each concurrent call rents its own
/// copy of the network (made from the trained weights on first need, then pooled), and a server's
/// requests use every core. Images go through the network one at a time: a convolution over one
/// image is already a tall matrix product (676 patch rows for the first layer on 28×28), so
/// batching gains little, and each copy's buffers stay small. Inference computes every image on
/// its own (<see cref="Network.ForwardInBlocks"/>), so its output is the same to the bit alone, in
/// a shard on any silo or in the whole set.
/// </remarks>
public sealed class CnnClassifierModel : IFittedTransform
{
    /// <summary>Kind tag in the serialised form.</summary>
    public const string Kind = "cnn";
    private const int FormatVersion = 1;

    /// <summary>Images per forward pass when predicting.</summary>
    public const int InferenceBlock = 1;

    /// <summary>Kind of the network copies' private serialised form.</summary>
    private const string NetworkKind = "cnn-network";

    private readonly byte[] _trainedNetwork;
    private readonly ConcurrentBag<Network> _idle = [];
    private readonly int _layerCount;
    private readonly int _inputSize;

    internal CnnClassifierModel(Network network, int featureLayers, int classes, double[] trainingLoss)
    {
        ArgumentNullException.ThrowIfNull(network);
        FeatureLayers = featureLayers;
        Classes = classes;
        TrainingLoss = trainingLoss;
        if (network.Layers[^1].OutputShape.Size != classes || featureLayers < 1 || featureLayers >= network.Layers.Count)
        {
            throw new ArgumentException($"A CNN with {network.Layers.Count} layers cannot give {classes} classes after feature layer {featureLayers}.");
        }
        _layerCount = network.Layers.Count;
        _inputSize = network.InputShape.Size;
        OutputDimension = network.Layers[featureLayers - 1].OutputShape.Size;
        using var bytes = new MemoryStream();
        using (var writer = new ModelWriter(bytes, NetworkKind, FormatVersion))
        {
            network.Save(writer);
        }
        _trainedNetwork = bytes.ToArray();
        // Inference runs on private copies read from the trained weights, never on the caller's
        // network: their weights are fixed, which lets a convolution take its faster form.
        _idle.Add(InferenceCopy());
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>How many layers produce the features (the rest is the classification head).</summary>
    public int FeatureLayers { get; }

    /// <summary>Mean loss of each training epoch.</summary>
    public double[] TrainingLoss { get; }

    /// <inheritdoc />
    public int InputDimension => _inputSize;

    /// <inheritdoc />
    public int OutputDimension { get; }

    /// <summary>The penultimate activations of every image.</summary>
    public Matrix Transform(Matrix rows) => Run(rows, FeatureLayers);

    /// <summary>The most probable class of every image (the lowest class on a tie).</summary>
    public int[] Predict(Matrix rows) => Classify(rows).Labels;

    /// <summary>
    /// The most probable class, the class probabilities and the penultimate activations of every
    /// image, from one pass through the network: what a self-labelling round needs of its CNN.
    /// </summary>
    public CnnClassification Classify(Matrix rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var labels = new int[rows.Rows];
        var probabilities = new Matrix(rows.Rows, Classes);
        var features = new Matrix(rows.Rows, OutputDimension);
        var network = Rent();
        try
        {
            network.ForwardInBlocks(rows, _layerCount, (start, count) =>
            {
                var logits = network.Output(_layerCount - 1, count);
                for (var i = 0; i < count; i++)
                {
                    var row = logits.Slice(i * Classes, Classes);
                    labels[start + i] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row);
                    SoftmaxCrossEntropy.Softmax(row, probabilities.Row(start + i));
                }
                network.Output(FeatureLayers - 1, count).CopyTo(features.RowBlock(start, count));
            });
        }
        finally
        {
            _idle.Add(network);
        }
        return new CnnClassification(labels, probabilities, features);
    }

    /// <inheritdoc />
    public void Save(Stream stream)
    {
        using var writer = new ModelWriter(stream, Kind, FormatVersion);
        writer.Write(FeatureLayers);
        writer.Write(Classes);
        writer.Write(TrainingLoss);
        var network = Rent();
        try
        {
            network.Save(writer);
        }
        finally
        {
            _idle.Add(network);
        }
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">Corrupted or foreign data.</exception>
    public static CnnClassifierModel Load(Stream stream)
    {
        using var reader = new ModelReader(stream, Kind, FormatVersion);
        var featureLayers = reader.ReadInt32();
        var classes = reader.ReadInt32();
        var trainingLoss = reader.ReadDoubles();
        var network = Network.Load(reader, InferenceBlock);
        ModelReader.Require(classes >= 2 && featureLayers >= 1 && featureLayers < network.Layers.Count
            && network.Layers[^1].OutputShape.Size == classes, $"{classes} classes after feature layer {featureLayers} of {network.Layers.Count}");
        return new CnnClassifierModel(network, featureLayers, classes, trainingLoss);
    }

    private Matrix Run(Matrix rows, int layerCount)
    {
        var network = Rent();
        try
        {
            return network.ForwardRows(rows, layerCount);
        }
        finally
        {
            _idle.Add(network);
        }
    }

    /// <summary>An idle copy of the trained network, or a new one read from the trained weights.</summary>
    private Network Rent()
    {
        return _idle.TryTake(out var network) ? network : InferenceCopy();
    }

    /// <summary>A new copy of the trained network for inference, its weights fixed.</summary>
    private Network InferenceCopy()
    {
        using var reader = new ModelReader(new MemoryStream(_trainedNetwork, writable: false), NetworkKind, FormatVersion);
        var network = Network.Load(reader, InferenceBlock);
        network.FixWeights();
        return network;
    }
}
