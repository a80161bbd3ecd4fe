using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Features;

/// <summary>Builds the layer stacks of the <see cref="AutoencoderArchitecture"/> choices.</summary>
internal static class AutoencoderNetworks
{
    /// <summary>Hidden widths of the dense encoder (N2D/DEC); the decoder mirrors them.</summary>
    private static readonly int[] DenseHidden = [500, 500, 2000];

    /// <summary>The layers and how many of them form the encoder; <paramref name="denseHidden"/> null for N2D's widths.</summary>
    public static (Layer[] Layers, int EncoderLayers) Build(AutoencoderArchitecture architecture, int inputSize, int embedding, IReadOnlyList<int>? denseHidden, Rng rng) =>
        architecture == AutoencoderArchitecture.Dense ? BuildDense(inputSize, embedding, denseHidden ?? DenseHidden, rng) : BuildConvolutional(inputSize, embedding, rng);

    private static (Layer[], int) BuildDense(int inputSize, int embedding, IReadOnlyList<int> denseHidden, Rng rng)
    {
        var layers = new List<Layer>();
        var width = inputSize;
        foreach (var hidden in denseHidden)
        {
            AddDense(layers, width, hidden, rng, relu: true);
            width = hidden;
        }
        AddDense(layers, width, embedding, rng, relu: false);
        var encoderLayers = layers.Count;
        width = embedding;
        for (var i = denseHidden.Count - 1; i >= 0; i--)
        {
            AddDense(layers, width, denseHidden[i], rng, relu: true);
            width = denseHidden[i];
        }
        AddDense(layers, width, inputSize, rng, relu: false);
        return ([.. layers], encoderLayers);
    }

    private static (Layer[], int) BuildConvolutional(int inputSize, int embedding, Rng rng)
    {
        if (inputSize != ImageSide * ImageSide)
        {
            throw new ArgumentException($"The convolutional autoencoder expects {ImageSide}×{ImageSide} images ({ImageSide * ImageSide} values), got {inputSize}; use the dense architecture.");
        }
        var layers = new List<Layer>();
        var image = new TensorShape(ImageSide, ImageSide, 1);
        // 28 → 14 → 7 → 3: "same" padding for the 5×5 layers, none for the last 3×3 (as in DCEC).
        Activation.AppendWithRelu(layers, new Conv2d(image, 32, 5, 2, 2, rng));
        Activation.AppendWithRelu(layers, new Conv2d(layers[^1].OutputShape, 64, 5, 2, 2, rng));
        Activation.AppendWithRelu(layers, new Conv2d(layers[^1].OutputShape, 128, 3, 2, 0, rng));
        var grid = layers[^1].OutputShape;
        layers.Add(new Dense(grid, TensorShape.Vector(embedding), rng));
        var encoderLayers = layers.Count;
        Activation.AppendWithRelu(layers, new Dense(TensorShape.Vector(embedding), grid, rng));
        Activation.AppendWithRelu(layers, new ConvTranspose2d(grid, 64, 3, 2, 0, 0, rng));
        Activation.AppendWithRelu(layers, new ConvTranspose2d(layers[^1].OutputShape, 32, 5, 2, 2, 1, rng));
        layers.Add(new ConvTranspose2d(layers[^1].OutputShape, 1, 5, 2, 2, 1, rng));
        return ([.. layers], encoderLayers);
    }

    /// <summary>Side of the square images the convolutional architecture takes.</summary>
    public const int ImageSide = 28;

    private static void AddDense(List<Layer> layers, int inputs, int outputs, Rng rng, bool relu)
    {
        var dense = new Dense(inputs, outputs, rng);
        if (relu)
        {
            Activation.AppendWithRelu(layers, dense);
        }
        else
        {
            layers.Add(dense);
        }
    }
}
