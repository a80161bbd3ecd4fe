namespace Distributed.Grains.Interfaces.Serving;

/// <summary>The body formats of <c>POST /v1/predict</c>.</summary>
public enum PredictorWireFormat
{
    /// <summary><see cref="PredictorMediaTypes.Json"/>: a <see cref="PredictRequest"/>, numbers as text; JSON answer.</summary>
    Json,

    /// <summary><see cref="PredictorMediaTypes.Npy"/>: a NumPy <c>.npy</c> file; JSON answer.</summary>
    Npy,

    /// <summary><see cref="PredictorMediaTypes.MessagePack"/>: a <see cref="PredictArrayRequest"/>, raw little-endian values; the answer is asked for as MessagePack too.</summary>
    MessagePack,
}
