using MessagePack;

namespace Distributed.Grains.Interfaces.Serving;

/// <summary>How the predictor API's <see cref="PredictorMediaTypes.MessagePack"/> bodies are read and written, by the server and its clients alike.</summary>
public static class PredictorMessagePack
{
    /// <summary><see cref="PredictArrayRequest.DType"/> of unsigned bytes, 0..255.</summary>
    public const string UInt8 = "uint8";

    /// <summary><see cref="PredictArrayRequest.DType"/> of little-endian IEEE 754 single-precision floats.</summary>
    public const string Float32 = "float32";

    /// <summary>
    /// The one set of options for these bodies. The standard resolver only knows the built-in types and
    /// the <c>[MessagePackObject]</c> contracts (no contractless or typeless resolver, so a body can never
    /// name a type to create); <see cref="MessagePackSecurity.UntrustedData"/> bounds the object depth
    /// and hashes map keys collision-resistantly, since request bodies come from any client.
    /// </summary>
    public static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);
}
