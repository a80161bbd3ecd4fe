using MessagePack;

namespace Distributed.Grains.Interfaces.Serving;

/// <summary>
/// MessagePack body of <c>POST /v1/predict</c> (<see cref="PredictorMediaTypes.MessagePack"/>): the
/// images as one packed array with its shape and element type, so that a caller holding raw pixels
/// sends them without formatting or parsing a number.
/// </summary>
/// <remarks>
/// The values are scaled as a <c>.npy</c> file of the same dtype is: uint8 is divided by 255;
/// float32 is divided by 255 if any value is above 1 and kept otherwise. NaN, infinite or
/// out-of-range values are refused. The keys are MessagePack strings; other keys are ignored, and
/// of a key given twice the last counts. <c>data</c> may also be a <c>str</c> holding the bytes, as
/// MessagePack writers that predate <c>bin</c> send them.
/// </remarks>
/// <param name="Shape"><c>[n, 28, 28]</c> or <c>[n, 784]</c> (<c>[n, 1, 28, 28]</c> too, as for <c>.npy</c>).</param>
/// <param name="DType"><see cref="PredictorMessagePack.UInt8"/> or <see cref="PredictorMessagePack.Float32"/> (little-endian).</param>
/// <param name="Data">The n × 784 values in row-major order as one MessagePack <c>bin</c>: n × 784 bytes for uint8, n × 3,136 for float32.</param>
[MessagePackObject]
public sealed record PredictArrayRequest(
    [property: Key("shape")] long[]? Shape,
    [property: Key("dtype")] string? DType,
    [property: Key("data")] byte[]? Data);
