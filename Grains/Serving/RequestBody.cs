using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Distributed.Grains.Serving;

/// <summary>Reads a request body into memory, refusing bodies over a byte limit before and while reading them.</summary>
public static class RequestBody
{
    /// <summary>Reason label: the body exceeds the byte limit.</summary>
    public const string TooLarge = "body_too_large";

    private const int InitialBufferBytes = 64 * 1024;

    /// <summary>
    /// The whole body when the server has already buffered all of it (the usual case for a small
    /// request), without waiting; null when it has not, and the caller should use <see cref="ReadAsync"/>.
    /// </summary>
    /// <exception cref="PredictRequestException">413 for a declared length over the limit.</exception>
    public static ReadOnlyMemory<byte>? TryReadBuffered(HttpRequest request, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(request);
        var declared = request.ContentLength;
        if (declared > maxBytes)
        {
            throw Over(maxBytes, $"{declared} bytes");
        }
        if (declared is not { } length || !request.BodyReader.TryRead(out var result))
        {
            return null;
        }
        var buffer = result.Buffer;
        if (buffer.Length < length)
        {
            // Not all there yet: consume nothing, so ReadAsync sees the same bytes again.
            request.BodyReader.AdvanceTo(buffer.Start, buffer.End);
            return null;
        }
        var body = buffer.Slice(0, length).ToArray();
        request.BodyReader.AdvanceTo(buffer.GetPosition(length));
        return body;
    }

    /// <summary>The whole body; 413 as soon as it is known to exceed <paramref name="maxBytes"/>.</summary>
    /// <exception cref="PredictRequestException">413 for a body over the limit, 400 for a body the server could not read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while the body was arriving.</exception>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var declared = request.ContentLength;
        if (declared > maxBytes)
        {
            throw Over(maxBytes, $"{declared} bytes");
        }
        // Let Kestrel enforce the same limit on bodies of unknown length too (no-op under TestServer).
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }
        var buffer = new byte[declared ?? Math.Min(maxBytes, InitialBufferBytes)];
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (declared is not null)
                    {
                        break;
                    }
                    if (buffer.Length >= maxBytes)
                    {
                        var probe = new byte[1];
                        if (await request.Body.ReadAsync(probe, cancellationToken) > 0)
                        {
                            throw Over(maxBytes, "the body");
                        }
                        break;
                    }
                    Array.Resize(ref buffer, (int)Math.Min(maxBytes, buffer.Length * 2L));
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                length += read;
            }
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own checks: body over MaxRequestBodySize, or a malformed/short chunked body.
            throw e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? Over(maxBytes, "the body")
                : new PredictRequestException(StatusCodes.Status400BadRequest, PredictRequestDecoder.MalformedBody, $"cannot read the request body: {e.Message}", e);
        }
        return buffer.AsMemory(0, length);
    }

    private static PredictRequestException Over(long maxBytes, string what) =>
        new(StatusCodes.Status413PayloadTooLarge, TooLarge, $"request body too large: {what} exceeds the limit of {maxBytes} bytes");
}
