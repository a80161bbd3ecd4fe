using System.Net;
using System.Net.Sockets;
using Distributed.Grains.Cluster.Grains;
using Distributed.Grains.Cluster.Placement;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Monitoring;
using Distributed.Grains.Serving;
using Distributed.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Serialization;
using StackExchange.Redis;

namespace Distributed.Grains.Cluster.Hosting;

/// <summary>
/// The one silo composition, shared by the Silo host, the Client's embedded silo and the tests:
/// clustering, grain state and reminders (Redis, or localhost and memory without it), the silo's
/// role metadata and the role placement filter, serialization, and the services the grains use.
/// </summary>
public static class LabellingSiloHosting
{
    /// <summary>Name of the grain storage every persistent grain uses.</summary>
    public const string StorageName = "labelling";

    /// <summary>Adds the labelling grains' runtime to a silo.</summary>
    /// <exception cref="ArgumentException">A Redis address that does not parse.</exception>
    /// <exception cref="FeatureBackendUnavailableException">A feature backend that cannot run here (<c>cuda</c> without a CUDA device).</exception>
    public static ISiloBuilder AddLabellingSilo(this ISiloBuilder silo, SiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        silo.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = options.ClusterId;
            cluster.ServiceId = options.ServiceId;
        });
        var siloPort = options.SiloPort == SiloOptions.AnyPort ? FreePort() : options.SiloPort;
        var gatewayPort = options.GatewayPort == SiloOptions.AnyPort ? FreePort() : options.GatewayPort;
        if (options.Redis is null)
        {
            // A silo alone: its own primary, no other server needed.
            silo.UseLocalhostClustering(siloPort, gatewayPort, new IPEndPoint(IPAddress.Loopback, siloPort), options.ServiceId, options.ClusterId);
            silo.UseLabellingStateInMemory();
        }
        else
        {
            var redis = RedisConfiguration(options.Redis, options.RedisPassword);
            silo.UseRedisClustering(o => o.ConfigurationOptions = redis);
            silo.UseLabellingStateInRedis(redis);
            var address = options.AdvertisedAddress is { } advertised ? IPAddress.Parse(advertised) : IPAddress.Loopback;
            silo.ConfigureEndpoints(address, siloPort, gatewayPort, listenOnAnyHostAddress: options.AdvertisedAddress is not null);
        }
        return silo.AddLabellingGrains(options);
    }

    /// <summary>Grain state and reminders in Redis, so they outlive any silo.</summary>
    public static ISiloBuilder UseLabellingStateInRedis(this ISiloBuilder silo, ConfigurationOptions configuration)
    {
        silo.AddRedisGrainStorage(StorageName, o => o.ConfigurationOptions = configuration);
        return silo.UseRedisReminderService(o => o.ConfigurationOptions = configuration);
    }

    /// <summary>Grain state and reminders in memory: a silo alone (embedded), or a test cluster.</summary>
    public static ISiloBuilder UseLabellingStateInMemory(this ISiloBuilder silo) =>
        silo.AddMemoryGrainStorage(StorageName).UseInMemoryReminderService();

    /// <summary>
    /// The grains' side of the composition, whatever the clustering: the silo's role metadata and
    /// the role placement filter, serialization, and the services the grains use. Needs a grain
    /// storage named <see cref="StorageName"/> and a reminder service.
    /// </summary>
    /// <exception cref="FeatureBackendUnavailableException">A feature backend that cannot run here (<c>cuda</c> without a CUDA device).</exception>
    public static ISiloBuilder AddLabellingGrains(this ISiloBuilder silo, SiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        silo.UseSiloMetadata(new Dictionary<string, string>
        {
            [SiloMetadataKeys.Roles] = string.Join(",", options.Roles),
            [SiloMetadataKeys.Id] = options.SiloId,
        });
        silo.Services.AddPlacementFilter<SiloRolePlacementFilterStrategy, SiloRolePlacementFilterDirector>(ServiceLifetime.Transient);
        silo.Services.AddSerializer(AddLabellingSerialization);

        var services = silo.Services;
        services.AddSingleton(options);
        services.AddSingleton(provider => new ShardStore(options.Store, options.StoreDurability, provider.GetService<IStoreFaults>()));
        // The grains' metrics exist whether or not the host serves /metrics (the Client's embedded
        // silo does not): recording them costs a few atomic adds per shard call.
        services.AddMetrics();
        services.TryAddSingleton<HostMetrics>();
        services.TryAddSingleton<ClusterMetrics>();
        var features = FeatureBackends.Select(options.FeatureBackend, options.Roles);
        services.AddSingleton(features);
        // From a factory, so the container disposes the backend (and the GPU it holds) with the silo.
        services.AddSingleton(_ => features.Backend);
        if (options.Roles.Contains(SiloRoles.Predictor))
        {
            services.TryAddSingleton<Predictor>();
            services.AddHostedService<ModelFollower>();
            // The silo's HTTP API predicts through the predictor grain, as other services do.
            services.AddSingleton<IPredictionSource, GrainPredictionSource>();
        }
        return silo;
    }

    /// <summary>Connects a client to the cluster whose membership is in <paramref name="redis"/> (<c>host:port</c>, with <paramref name="password"/> if it needs one).</summary>
    public static IClientBuilder AddLabellingClient(this IClientBuilder client, string redis, string? password = null, string clusterId = "distributed", string serviceId = "distributed")
    {
        ArgumentNullException.ThrowIfNull(client);
        var configuration = RedisConfiguration(redis, password);
        client.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = clusterId;
            cluster.ServiceId = serviceId;
        });
        client.UseRedisClustering(o => o.ConfigurationOptions = configuration);
        client.Services.AddSerializer(AddLabellingSerialization);
        return client;
    }

    /// <summary>
    /// The ML library's records (the pipeline options, a clustering checkpoint) travel and persist
    /// as System.Text.Json in the project's conventions: they are the library's own typed options,
    /// and the library stays free of Orleans. Everything else uses Orleans' generated serializers.
    /// </summary>
    public static void AddLabellingSerialization(ISerializerBuilder serializer) =>
        serializer.AddJsonSerializer(
            isSupported: type => type.Namespace?.StartsWith("Distributed.Ml", StringComparison.Ordinal) == true,
            new System.Text.Json.JsonSerializerOptions(Json.Options) { WriteIndented = false });

    /// <summary>
    /// Parses <c>host:port</c> for StackExchange.Redis and sets <paramref name="password"/> as it is
    /// (never through the connection string, where ',' or '=' in it would be parsed). Connections are
    /// re-established after a Redis restart instead of failing for good; whether Redis answers at
    /// start is checked first (<see cref="CheckRedisAsync"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The address does not parse.</exception>
    public static ConfigurationOptions RedisConfiguration(string redis, string? password = null)
    {
        ConfigurationOptions configuration;
        try
        {
            configuration = ConfigurationOptions.Parse(redis);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Redis address '{redis}' is not host:port: {e.Message}", e);
        }
        if (configuration.EndPoints.Count == 0)
        {
            throw new ArgumentException($"Redis address '{redis}' names no host:port");
        }
        configuration.AbortOnConnectFail = false;
        if (password is not null)
        {
            configuration.Password = password;
        }
        return configuration;
    }

    /// <summary>
    /// Connects to Redis once, before Orleans does, so that a wrong password or a Redis that is not
    /// there is reported as what it is. Orleans' own connections wait out the connect timeout and
    /// keep retrying (<see cref="RedisConfiguration"/>); the failure they end with then depends on
    /// which attempt was in flight, and under load it was a timeout even where Redis had refused the
    /// password. This one connection gives up at its first refusal, which names the cause.
    /// </summary>
    /// <exception cref="RedisException">Redis refused the connection or did not answer; <see cref="RedisFailure"/> says which in words.</exception>
    public static async Task CheckRedisAsync(string redis, string? password = null)
    {
        var configuration = RedisConfiguration(redis, password);
        configuration.AbortOnConnectFail = true;
        configuration.ConnectRetry = 1;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        await connection.GetDatabase().PingAsync().ConfigureAwait(false);
    }

    /// <summary>Why Redis failed a silo's or client's start, in words for a one-line error.</summary>
    public static string RedisFailure(RedisException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            if (e is RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure }
                || e.Message.Contains("WRONGPASS", StringComparison.Ordinal) || e.Message.Contains("NOAUTH", StringComparison.Ordinal))
            {
                return "Redis refused the password (set the right one, or none if it needs none)";
            }
        }
        return "Redis does not answer there";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
