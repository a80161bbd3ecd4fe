using Distributed.Grains.Interfaces.Cluster;
using MassTransit;
using Microsoft.Extensions.Hosting;

namespace Distributed.Grains.Cluster.Hosting;

/// <summary>Publishes this silo's <see cref="SiloHeartbeat"/> every <see cref="SiloOptions.HeartbeatInterval"/>.</summary>
public sealed class HeartbeatService(IBus bus, SiloOptions options, TimeProvider time) : BackgroundService
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval, time);
        do
        {
            try
            {
                await bus.Publish(new SiloHeartbeat(options.SiloId, Environment.MachineName, Environment.ProcessId, options.Roles, _started, time.GetUtcNow()),
                    stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The broker may be restarting; the next tick tries again and a missed beat only delays a status line.
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
