using MassTransit;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>
/// The queue a coordinator's requests are answered on: <c>responses-&lt;silo id&gt;</c>, named, not
/// exclusive, and removed by the broker only after it has gone unused for
/// <see cref="Expiry"/>. With the bus's own temporary queue, a coordinator that died left its
/// requests' answer address pointing at an exchange RabbitMQ had deleted with its connection: a
/// worker answering such a request got 404 NOT_FOUND, which closes the channel the worker also
/// receives on, and the silo that took the job over stopped hearing its own answers (seen in the
/// two-coordinator test). Answers to a dead coordinator now land in its queue and expire with it.
/// </summary>
public sealed class CoordinatorResponses(IBus bus, Hosting.SiloOptions options) : IAsyncDisposable
{
    /// <summary>How long the queue outlives its last consumer: longer than any request is waited for.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromHours(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IClientFactory? _factory;

    /// <summary>Name of the queue for a silo.</summary>
    public static string QueueName(string siloId) => $"responses-{siloId}";

    /// <summary>A client factory whose requests are answered on this silo's queue; connects the queue on first use.</summary>
    public async Task<IClientFactory> ClientFactoryAsync(CancellationToken cancellationToken)
    {
        if (_factory is { } ready)
        {
            return ready;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_factory is null)
            {
                var handle = bus.ConnectReceiveEndpoint(QueueName(options.SiloId), endpoint =>
                {
                    if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                    {
                        rabbit.Durable = false;
                        rabbit.AutoDelete = false;
                        rabbit.Exclusive = false;
                        rabbit.QueueExpiration = Expiry;
                    }
                });
                await handle.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
                _factory = handle.CreateClientFactory();
            }
            return _factory;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        // The factory stops the receive endpoint it was made from when disposed.
        if (_factory is IAsyncDisposable factory)
        {
            await factory.DisposeAsync().ConfigureAwait(false);
        }
        _gate.Dispose();
    }
}
