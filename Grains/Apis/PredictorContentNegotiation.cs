using Distributed.Grains.Interfaces.Serving;
using Distributed.Grains.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Distributed.Grains.Apis;

/// <summary>Which format a prediction request's body is in, and which format its answer goes in.</summary>
internal static class PredictorContentNegotiation
{
    private const string Accepted = $"send {PredictorMediaTypes.Npy}, {PredictorMediaTypes.Json} or {PredictorMediaTypes.MessagePack}";

    /// <summary>The body's format from its <c>Content-Type</c>; anything else is refused with 415.</summary>
    /// <exception cref="PredictRequestException">415 for a missing, invalid or unsupported content type.</exception>
    public static PredictorWireFormat RequestFormat(string? contentType)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            throw new PredictRequestException(StatusCodes.Status415UnsupportedMediaType, PredictorApi.UnsupportedMediaType, $"missing or invalid Content-Type; {Accepted}");
        }
        var mediaType = parsed.MediaType.Value ?? "";
        if (mediaType.Equals(PredictorMediaTypes.Npy, StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            return PredictorWireFormat.Npy;
        }
        if (mediaType.Equals(PredictorMediaTypes.Json, StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            return PredictorWireFormat.Json;
        }
        if (mediaType.Equals(PredictorMediaTypes.MessagePack, StringComparison.OrdinalIgnoreCase))
        {
            return PredictorWireFormat.MessagePack;
        }
        throw new PredictRequestException(StatusCodes.Status415UnsupportedMediaType, PredictorApi.UnsupportedMediaType, $"unsupported Content-Type '{mediaType}'; {Accepted}");
    }

    /// <summary>
    /// True when the answer should be MessagePack: <c>Accept</c> rates MessagePack above JSON, or rates
    /// them equally (no <c>Accept</c>, <c>*/*</c>, or neither listed) and the request was MessagePack,
    /// since a caller that packs its images most likely wants a packed answer. Otherwise JSON, as
    /// before MessagePack existed; a caller that accepts neither still gets JSON rather than a 406.
    /// </summary>
    public static bool AnswersMessagePack(HttpRequest request, PredictorWireFormat requestFormat)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return requestFormat == PredictorWireFormat.MessagePack;
        }
        var messagePack = Quality(accept, "application", "msgpack");
        var json = Quality(accept, "application", "json");
        return messagePack > json || (messagePack == json && requestFormat == PredictorWireFormat.MessagePack);
    }

    /// <summary>The quality <paramref name="accept"/> gives a media type: that of its most specific matching range (RFC 9110 §12.5.1), 0 when none matches.</summary>
    private static double Quality(IList<MediaTypeHeaderValue> accept, string type, string subType)
    {
        var bestSpecificity = -1;
        var quality = 0.0;
        foreach (var range in accept)
        {
            var specificity = range.MatchesAllTypes ? 0
                : !range.Type.Equals(type, StringComparison.OrdinalIgnoreCase) ? -1
                : range.MatchesAllSubTypes ? 1
                : range.SubType.Equals(subType, StringComparison.OrdinalIgnoreCase) ? 2
                : -1;
            if (specificity < 0 || specificity < bestSpecificity)
            {
                continue;
            }
            var rangeQuality = range.Quality ?? 1.0;
            quality = specificity > bestSpecificity ? rangeQuality : Math.Max(quality, rangeQuality);
            bestSpecificity = specificity;
        }
        return quality;
    }
}
