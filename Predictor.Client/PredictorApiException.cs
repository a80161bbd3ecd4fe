using System.Net;
using Distributed.Grains.Interfaces.Serving;

namespace Distributed.Predictor.Client;

/// <summary>The predictor refused a request or failed; <see cref="Problem"/> says why.</summary>
public sealed class PredictorApiException : Exception
{
    /// <summary>Creates the exception from the answer's status and problem details.</summary>
    public PredictorApiException(HttpStatusCode statusCode, PredictorProblem problem)
        : base($"{(int)statusCode} {problem?.Title ?? statusCode.ToString()}: {problem?.Detail ?? "no detail"}")
    {
        StatusCode = statusCode;
        Problem = problem ?? new PredictorProblem(null, null, (int)statusCode, null, null);
    }

    /// <summary>HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The problem details body (synthesised from the status when the body had none).</summary>
    public PredictorProblem Problem { get; }

    /// <summary>True for 4xx: the request itself is wrong and retrying it unchanged will fail again.</summary>
    public bool IsClientError => (int)StatusCode is >= 400 and < 500;
}
