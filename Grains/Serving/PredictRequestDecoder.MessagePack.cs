using Distributed.Grains.Interfaces.Serving;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;
using MessagePack;
using Microsoft.AspNetCore.Http;

namespace Distributed.Grains.Serving;

public static partial class PredictRequestDecoder
{
    private const string MessagePackLayout = "expected a map {\"shape\": [n, 28, 28] or [n, 784], \"dtype\": \"uint8\" or \"float32\", \"data\": bin}";

    /// <summary>
    /// Decodes a MessagePack body (a <see cref="PredictArrayRequest"/>) through the <c>.npy</c> path's
    /// own checks and scaling: the same shapes, the same scaling of each dtype, the same refusals.
    /// </summary>
    /// <remarks>
    /// A declared array or <c>bin</c> length longer than the rest of the body is refused before
    /// anything of that length is allocated (the reader checks what remains first), so a tiny body
    /// cannot make the server allocate gigabytes.
    /// </remarks>
    /// <exception cref="PredictRequestException">400 for malformed MessagePack, an unsupported dtype, a wrong shape, data that disagrees with the shape, or bad values; 413 for too many images.</exception>
    public static Matrix DecodeMessagePack(ReadOnlyMemory<byte> body, int maxImages)
    {
        PredictArrayRequest? request;
        int read;
        try
        {
            request = MessagePackSerializer.Deserialize<PredictArrayRequest>(body, PredictorMessagePack.Options, out read);
        }
        catch (MessagePackSerializationException e)
        {
            throw Malformed($"malformed MessagePack: {MessagePackProblem(e)}; {MessagePackLayout}", e);
        }
        if (read != body.Length)
        {
            throw Malformed("data continues after the MessagePack map");
        }
        if (request is null)
        {
            throw Malformed($"the body is nil; {MessagePackLayout}");
        }
        var shape = request.Shape ?? throw Malformed($"no \"shape\" key; {MessagePackLayout}");
        var dtypeName = request.DType ?? throw Malformed($"no \"dtype\" key; {MessagePackLayout}");
        var data = request.Data ?? throw Malformed($"no \"data\" key; {MessagePackLayout}");
        var dtype = dtypeName switch
        {
            PredictorMessagePack.UInt8 => NpyDType.UInt8,
            PredictorMessagePack.Float32 => NpyDType.Float32,
            _ => throw Malformed($"unsupported dtype '{dtypeName}' (supported: {PredictorMessagePack.UInt8}, {PredictorMessagePack.Float32})"),
        };
        var shapeText = "[" + string.Join(", ", shape) + "]";
        // .npy headers cannot spell a negative dimension; a MessagePack integer can.
        if (shape.Any(dim => dim < 0))
        {
            throw new PredictRequestException(StatusCodes.Status400BadRequest, BadShape, $"wrong image size: shape {shapeText} has a negative dimension");
        }
        var count = Guard(BadShape, "", () => ImageDecoder.ImageCount(shape, shapeText));
        if (count > maxImages)
        {
            throw TooMany($"{count} images", maxImages);
        }
        // count ≤ maxImages and the other dimensions are fixed by ImageCount, so this cannot overflow.
        var expected = (long)count * ImageShape.Pixels * dtype.Size();
        if (data.LongLength != expected)
        {
            throw Malformed(data.LongLength < expected
                ? $"truncated data: shape {shapeText} {dtypeName} needs {expected} bytes but \"data\" has only {data.LongLength}"
                : $"shape {shapeText} {dtypeName} disagrees with the data: it needs {expected} bytes but \"data\" has {data.LongLength}");
        }
        return Guard(BadValues, "", () => ImageDecoder.Decode(new NumericArray(dtype, shape, data)));
    }

    /// <summary>The innermost reader message: the serializer's outer ones only name the type it was reading.</summary>
    private static string MessagePackProblem(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e switch
        {
            EndOfStreamException => "the body ends inside a value, or declares a length longer than the body",
            OverflowException => "an integer or length is out of range",
            _ => e.Message.TrimEnd('.'),
        };
    }
}
