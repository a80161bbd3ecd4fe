namespace Distributed.Grains.Interfaces.Serving;

/// <summary>Content types <c>POST /v1/predict</c> accepts.</summary>
public static class PredictorMediaTypes
{
    /// <summary>A NumPy <c>.npy</c> file: (N,1,28,28), (N,28,28) or (N,784), integer or float.</summary>
    public const string Npy = "application/x-npy";

    /// <summary>A <see cref="PredictRequest"/> as JSON.</summary>
    public const string Json = "application/json";
}
