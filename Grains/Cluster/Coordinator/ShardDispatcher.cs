using Distributed.Grains.Cluster.Hosting;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>
/// Fans requests out to a role's queue and collects the answers in request order. A request that
/// times out is sent again (work is idempotent) with a growing pause, up to
/// <see cref="SiloOptions.RequestAttempts"/> times; a grain's fault fails the job at once with the
/// grain's reason.
/// </summary>
public sealed class ShardDispatcher(CoordinatorResponses responses, SiloOptions options, ILogger<ShardDispatcher> logger)
{
    /// <summary>Pause before the first resend; doubled for each further one.</summary>
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);

    /// <summary>Sends every request and returns the answers in the same order.</summary>
    /// <param name="queue">Destination queue (<see cref="ClusterQueues"/>).</param>
    /// <param name="requests">The requests.</param>
    /// <param name="what">What the requests are, for timeouts and faults (e.g. "EmbedShard").</param>
    /// <param name="timeout">Wait for one answer before resending.</param>
    /// <param name="answered">Told about each answer (for progress and accounting), with its round-trip seconds.</param>
    /// <param name="cancellationToken">Stops waiting (silo shutdown).</param>
    /// <exception cref="JobFailedException">A grain faulted, or a request went unanswered through every attempt.</exception>
    public async Task<TResponse[]> Run<TRequest, TResponse>(string queue, IReadOnlyList<TRequest> requests, string what, TimeSpan timeout,
        Action<TResponse, double> answered, CancellationToken cancellationToken)
        where TRequest : class
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(answered);
        var factory = await responses.ClientFactoryAsync(cancellationToken).ConfigureAwait(false);
        var client = factory.CreateRequestClient<TRequest>(ClusterQueues.Address(queue), RequestTimeout.After(ms: (int)timeout.TotalMilliseconds));
        var tasks = new Task<TResponse>[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            tasks[i] = Send<TRequest, TResponse>(client, requests[i], $"{what} #{i}", queue, timeout, answered, cancellationToken);
        }
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task<TResponse> Send<TRequest, TResponse>(IRequestClient<TRequest> client, TRequest request, string what, string queue,
        TimeSpan timeout, Action<TResponse, double> answered, CancellationToken cancellationToken)
        where TRequest : class
        where TResponse : class
    {
        var backoff = FirstBackoff;
        for (var attempt = 1; ; attempt++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                var response = await client.GetResponse<TResponse>(request, cancellationToken, RequestTimeout.After(ms: (int)timeout.TotalMilliseconds)).ConfigureAwait(false);
                answered(response.Message, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
                return response.Message;
            }
            catch (RequestTimeoutException e)
            {
                if (attempt >= options.RequestAttempts)
                {
                    throw new JobFailedException($"timed out waiting for {what} on queue '{queue}': no answer in {attempt} attempts of {timeout.TotalSeconds:0} s (is a silo with that role running?)", e);
                }
                logger.LogWarning("No answer to {What} on queue {Queue} within {Timeout}; sending it again (attempt {Attempt} of {Attempts})",
                    what, queue, timeout, attempt + 1, options.RequestAttempts);
            }
            catch (RequestFaultException e)
            {
                var reason = e.Fault?.Exceptions.FirstOrDefault() is { } info ? $"{info.ExceptionType}: {info.Message}" : e.Message;
                throw new JobFailedException($"{what} failed on queue '{queue}': {reason}", e);
            }
            await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
            backoff *= 2;
        }
    }
}
