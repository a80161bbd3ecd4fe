using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>
/// MassTransit's test harness around the production registration (<c>AddSiloGrains</c>,
/// <c>ConfigureSiloEndpoints</c>, <c>AddSiloServices</c>) on a temporary store.
/// </summary>
internal sealed class GrainHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly TempDirectory _temp = new();

    private GrainHarness(SiloOptions? options)
    {
        Options = (options ?? new SiloOptions { Store = "unused" }) with { Store = _temp.File("store") };
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMassTransitTestHarness(bus =>
        {
            bus.AddSiloGrains(Options);
            bus.UsingInMemory((context, configurator) => configurator.ConfigureSiloEndpoints(context, Options));
        });
        services.AddSiloServices(Options);
        _provider = services.BuildServiceProvider(validateScopes: true);
        Harness = _provider.GetRequiredService<ITestHarness>();
        Store = _provider.GetRequiredService<ShardStore>();
    }

    public SiloOptions Options { get; }

    public ITestHarness Harness { get; }

    public ShardStore Store { get; }

    public TempDirectory Temp => _temp;

    public IServiceProvider Services => _provider;

    public static async Task<GrainHarness> StartAsync(SiloOptions? options = null)
    {
        var harness = new GrainHarness(options);
        await harness.Harness.Start();
        return harness;
    }

    /// <summary>One request to a role queue, with a timeout that names it.</summary>
    public async Task<TResponse> Ask<TRequest, TResponse>(string queue, TRequest request)
        where TRequest : class
        where TResponse : class
    {
        var client = Harness.Bus.CreateRequestClient<TRequest>(ClusterQueues.Address(queue), RequestTimeout.After(s: 60));
        return (await client.GetResponse<TResponse>(request)).Message;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Harness.Stop();
            await _provider.DisposeAsync();
        }
        finally
        {
            _temp.Dispose();
        }
    }
}
