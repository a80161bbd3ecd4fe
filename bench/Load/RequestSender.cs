using Distributed.Ml.Data;
using Distributed.Predictor.Client;

namespace Distributed.Bench.Load;

/// <summary>Sends the run's requests through <see cref="PredictorClient"/> and counts the failed ones; thread-safe.</summary>
internal sealed class RequestSender(PredictorClient client, ReadOnlyMemory<byte>[] requests)
{
    private int _errors;
    private string? _firstError;

    /// <summary>Requests that failed since the last <see cref="Reset"/>.</summary>
    public int Errors => Volatile.Read(ref _errors);

    /// <summary>Message of the first of them.</summary>
    public string? FirstError => Volatile.Read(ref _firstError);

    /// <summary>Forgets the errors (after the warm-up).</summary>
    public void Reset()
    {
        Volatile.Write(ref _errors, 0);
        Volatile.Write(ref _firstError, null);
    }

    /// <summary>Sends request number <paramref name="index"/> (the distinct requests in turn) and checks that every image got an answer; a failure is counted, not thrown.</summary>
    public async Task SendAsync(int index, CancellationToken cancellationToken)
    {
        try
        {
            var request = requests[index % requests.Length];
            var response = await client.PredictPixelsAsync(request, cancellationToken);
            if (response.Clusters.Length != request.Length / ImageShape.Pixels)
            {
                throw new InvalidDataException($"{response.Clusters.Length} predictions for {request.Length / ImageShape.Pixels} images");
            }
        }
        catch (Exception e) when (e is PredictorApiException or HttpRequestException or InvalidDataException or TaskCanceledException)
        {
            Interlocked.Increment(ref _errors);
            Interlocked.CompareExchange(ref _firstError, e.Message, null);
        }
    }
}
