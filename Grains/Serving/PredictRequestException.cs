namespace Distributed.Grains.Serving;

/// <summary>A prediction request is refused: the HTTP status, a fixed reason for the metrics, and a one-line detail for the caller.</summary>
public sealed class PredictRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PredictRequestException(int statusCode, string reason, string detail, Exception? innerException = null)
        : base(detail, innerException)
    {
        StatusCode = statusCode;
        Reason = reason;
    }

    /// <summary>HTTP status to answer with (4xx).</summary>
    public int StatusCode { get; }

    /// <summary>Short fixed reason (a metric label value, so never request data), e.g. <c>bad_shape</c>.</summary>
    public string Reason { get; }
}
