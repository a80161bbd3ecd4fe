using Distributed.Ml.Persistence;

namespace Distributed.Ml.Neural;

/// <summary>Reads and writes layers by tag inside a model stream.</summary>
internal static class LayerCodec
{
    public static void Write(ModelWriter writer, Layer layer)
    {
        writer.Write(layer.Tag);
        layer.WriteState(writer);
    }

    public static Layer Read(ModelReader reader)
    {
        var tag = reader.ReadString();
        return tag switch
        {
            "dense" => Dense.Read(reader),
            "conv2d" => Conv2d.Read(reader),
            "conv-transpose2d" => ConvTranspose2d.Read(reader),
            "max-pool2d" => MaxPool2d.Read(reader),
            "activation" => Activation.Read(reader),
            "batch-norm" => BatchNorm.Read(reader),
            "dropout" => Dropout.Read(reader),
            _ => throw new ModelFormatException($"unknown layer type '{tag}'"),
        };
    }

    public static void WriteShape(ModelWriter writer, TensorShape shape)
    {
        writer.Write(shape.Height);
        writer.Write(shape.Width);
        writer.Write(shape.Channels);
    }

    public static TensorShape ReadShape(ModelReader reader)
    {
        var shape = new TensorShape(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        ModelReader.Require(shape.Height > 0 && shape.Width > 0 && shape.Channels > 0 && (long)shape.Height * shape.Width * shape.Channels < int.MaxValue, $"layer shape {shape}");
        return shape;
    }

    public static int Positive(int value)
    {
        ModelReader.Require(value > 0, $"layer size {value}");
        return value;
    }

    /// <summary>Builds a layer from decoded settings, turning a constructor's rejection into a format error.</summary>
    public static T Geometry<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException($"inconsistent layer: {e.Message}");
        }
    }
}
