namespace Distributed.Grains.Serving;

/// <summary>
/// Settings of the prediction service (configuration section <c>Predictor</c>). Every default is
/// documented here and nowhere else.
/// </summary>
public sealed class PredictorOptions
{
    /// <summary>Configuration section the options bind from.</summary>
    public const string Section = "Predictor";

    /// <summary>
    /// Largest request body in bytes; larger bodies get 413. Default 16 MiB: room for
    /// <see cref="MaxImagesPerRequest"/> images as JSON with full float precision (about 8.6 KB per image).
    /// </summary>
    public long MaxBodyBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Most images in one request; more get 413. Default 1024.</summary>
    public int MaxImagesPerRequest { get; set; } = 1024;

    /// <summary>
    /// Time a request may take from the start of its body to its answer. A body still arriving then
    /// gets 408; a prediction still running gets 504. Default 10 s.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (MaxBodyBytes < 1)
        {
            throw new ArgumentException($"max body bytes must be positive, got {MaxBodyBytes}");
        }
        if (MaxImagesPerRequest < 1)
        {
            throw new ArgumentException($"max images per request must be positive, got {MaxImagesPerRequest}");
        }
        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"request timeout must be positive, got {RequestTimeout}");
        }
    }
}
