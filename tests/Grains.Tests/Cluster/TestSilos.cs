using Distributed.Grains.Cluster.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>
/// An <see cref="InProcessTestCluster"/> whose silos run the production grain composition
/// (<see cref="LabellingSiloHosting.AddLabellingGrains"/>, in-memory state and reminders) with one
/// role list per silo, all on one store.
/// </summary>
internal sealed class TestSilos : IAsyncDisposable
{
    private TestSilos(InProcessTestCluster cluster) => Cluster = cluster;

    public InProcessTestCluster Cluster { get; }

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>Starts one silo per entry of <paramref name="roles"/> (comma-separated roles), named <c>Silo_0</c>, <c>Silo_1</c>, ….</summary>
    public static async Task<TestSilos> StartAsync(string store, params string[] roles)
    {
        var builder = new InProcessTestClusterBuilder((short)roles.Length);
        builder.ConfigureSilo((options, silo) =>
        {
            var index = int.Parse(options.SiloName.Split('_')[1], System.Globalization.CultureInfo.InvariantCulture);
            silo.UseLabellingStateInMemory();
            silo.AddLabellingGrains(new SiloOptions { Store = store, Roles = SiloRoles.Parse(roles[index]), SiloId = options.SiloName });
        });
        builder.ConfigureClient(client => client.Services.AddSerializer(LabellingSiloHosting.AddLabellingSerialization));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new TestSilos(cluster);
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
