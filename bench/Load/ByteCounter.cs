namespace Distributed.Bench.Load;

/// <summary>Counts the body bytes of every request and answer that passes.</summary>
internal sealed class ByteCounter : DelegatingHandler
{
    private long _requests;
    private long _requestBytes;
    private long _answerBytes;

    public long Requests => Interlocked.Read(ref _requests);

    public long RequestBytes => Interlocked.Read(ref _requestBytes);

    public long AnswerBytes => Interlocked.Read(ref _answerBytes);

    /// <summary>Starts counting afresh (after the warm-up).</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _requestBytes, 0);
        Interlocked.Exchange(ref _answerBytes, 0);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        // JSON answers come chunked, without a Content-Length: buffering gives every answer one. The
        // client reads the whole answer anyway, so this costs each format the same copy.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _requestBytes, request.Content?.Headers.ContentLength ?? 0);
        Interlocked.Add(ref _answerBytes, response.Content.Headers.ContentLength ?? 0);
        return response;
    }
}
