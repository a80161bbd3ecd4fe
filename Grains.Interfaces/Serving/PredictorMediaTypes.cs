namespace Distributed.Grains.Interfaces.Serving;

/// <summary>Content types <c>POST /v1/predict</c> accepts, and those it answers with.</summary>
public static class PredictorMediaTypes
{
    /// <summary>A NumPy <c>.npy</c> file: (N,1,28,28), (N,28,28) or (N,784), integer or float.</summary>
    public const string Npy = "application/x-npy";

    /// <summary>A <see cref="PredictRequest"/> as JSON; the default answer type.</summary>
    public const string Json = "application/json";

    /// <summary>A <see cref="PredictArrayRequest"/> as MessagePack; answers are a <see cref="PredictResponse"/> as MessagePack when asked for.</summary>
    public const string MessagePack = "application/msgpack";
}
