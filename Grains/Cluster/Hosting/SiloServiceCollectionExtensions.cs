using Distributed.Grains.Cluster.Coordinator;
using Distributed.Grains.Cluster.Grains;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Serving;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Distributed.Grains.Cluster.Hosting;

/// <summary>
/// The silo composition, shared by the Silo host, the Client's embedded cluster and the tests:
/// grains of the silo's roles on their role queues, over the in-memory transport or RabbitMQ.
/// </summary>
public static class SiloServiceCollectionExtensions
{
    /// <summary>Adds a silo: its services and a MassTransit bus on <see cref="SiloOptions.Broker"/> (in-memory when null).</summary>
    public static IServiceCollection AddSilo(this IServiceCollection services, SiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddMassTransit(bus =>
        {
            bus.AddSiloGrains(options);
            bus.UseTransport(options.Broker, (context, configurator) => configurator.ConfigureSiloEndpoints(context, options));
        });
        // After the bus: hosted services stop in reverse order, so job runners and heartbeats stop
        // (at a checkpoint) before the bus drains and closes.
        services.AddSiloServices(options);
        return services;
    }

    /// <summary>Adds a bus with no grains, to talk to a cluster (the Client's <c>--cluster</c> mode).</summary>
    public static IServiceCollection AddClusterClient(this IServiceCollection services, Uri broker)
    {
        ArgumentNullException.ThrowIfNull(broker);
        services.AddMassTransit(bus => bus.UseTransport(broker, (_, _) => { }));
        return services;
    }

    /// <summary>The services grains need, without the bus (tests add the bus through MassTransit's test harness). Add them after the bus.</summary>
    public static IServiceCollection AddSiloServices(this IServiceCollection services, SiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new ShardStore(options.Store));
        services.AddSingleton<GrainContext>();
        services.AddSingleton<IFeatureBackend>(options.FeatureBackend switch
        {
            CpuFeatureBackend.BackendName => new CpuFeatureBackend(),
            _ => throw new ArgumentException($"feature backend '{options.FeatureBackend}' is not available in this build; available: {CpuFeatureBackend.BackendName}"),
        });
        services.AddHostedService<HeartbeatService>();
        if (options.Roles.Contains(SiloRoles.Coordinator))
        {
            services.AddSingleton<JobStore>();
            services.AddSingleton<CoordinatorResponses>();
            services.AddSingleton<ShardDispatcher>();
            services.AddSingleton<ClusterMembership>();
            services.AddSingleton<JobRunnerService>();
            services.AddHostedService(provider => provider.GetRequiredService<JobRunnerService>());
        }
        if (options.Roles.Contains(SiloRoles.Predictor))
        {
            services.TryAddSingleton<Predictor>();
            if (options.Model is { } model)
            {
                services.AddHostedService(provider => new InitialModelLoader(provider.GetRequiredService<Predictor>(), model));
            }
        }
        return services;
    }

    /// <summary>Registers the grains (consumers) of the silo's roles.</summary>
    public static void AddSiloGrains(this IBusRegistrationConfigurator bus, SiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Roles.Contains(SiloRoles.Gpu))
        {
            bus.AddConsumer<FeatureExtractorGrain>();
        }
        if (options.Roles.Contains(SiloRoles.Cpu))
        {
            bus.AddConsumer<ShardWorkerGrain>();
            bus.AddConsumer<ForestTrainerGrain>();
        }
        if (options.Roles.Contains(SiloRoles.Coordinator))
        {
            bus.AddConsumer<CoordinatorGrain>();
        }
        if (options.Roles.Contains(SiloRoles.Predictor))
        {
            bus.AddConsumer<PredictorGrain>();
            bus.AddConsumer<ModelReloadGrain>();
        }
    }

    /// <summary>
    /// One receive endpoint per role queue, each with a concurrency limit and message retries with
    /// exponential backoff; a message that still fails goes to <c>&lt;queue&gt;_error</c> and its
    /// fault answers the requester, who fails the job with the reason.
    /// </summary>
    public static void ConfigureSiloEndpoints(this IBusFactoryConfigurator configurator, IBusRegistrationContext context, SiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(options);
        void Endpoint(string queue, Action<IReceiveEndpointConfigurator> configure) => configurator.ReceiveEndpoint(queue, endpoint =>
        {
            endpoint.ConcurrentMessageLimit = options.ConcurrentMessageLimit;
            endpoint.UseMessageRetry(retry =>
            {
                retry.Exponential(options.MessageRetries, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500));
                // A bad request stays bad: retrying cannot help.
                retry.Ignore<ArgumentException>();
                retry.Ignore<InvalidDataException>();
            });
            configure(endpoint);
        });

        if (options.Roles.Contains(SiloRoles.Gpu))
        {
            Endpoint(ClusterQueues.Features, e => e.ConfigureConsumer<FeatureExtractorGrain>(context));
        }
        if (options.Roles.Contains(SiloRoles.Cpu))
        {
            Endpoint(ClusterQueues.Work, e =>
            {
                e.ConfigureConsumer<ShardWorkerGrain>(context);
                e.ConfigureConsumer<ForestTrainerGrain>(context);
            });
        }
        if (options.Roles.Contains(SiloRoles.Coordinator))
        {
            Endpoint(ClusterQueues.Coordinator, e => e.ConfigureConsumer<CoordinatorGrain>(context));
        }
        if (options.Roles.Contains(SiloRoles.Predictor))
        {
            Endpoint(ClusterQueues.Predictor, e => e.ConfigureConsumer<PredictorGrain>(context));
            // Broadcast: one queue per silo, gone with the silo (auto-delete on RabbitMQ).
            Endpoint(ClusterQueues.PredictorOf(options.SiloId), e =>
            {
                if (e is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    rabbit.AutoDelete = true;
                    rabbit.Durable = false;
                }
                e.ConfigureConsumer<ModelReloadGrain>(context);
            });
        }
    }

    /// <summary>In-memory transport when <paramref name="broker"/> is null, else RabbitMQ at that amqp URI.</summary>
    private static void UseTransport(this IBusRegistrationConfigurator bus, Uri? broker, Action<IBusRegistrationContext, IBusFactoryConfigurator> configure)
    {
        if (broker is null)
        {
            bus.UsingInMemory((context, configurator) => configure(context, configurator));
            return;
        }
        bus.UsingRabbitMq((context, configurator) =>
        {
            var (user, password) = Credentials(broker);
            var virtualHost = broker.AbsolutePath.Trim('/') is { Length: > 0 } path ? Uri.UnescapeDataString(path) : "/";
            configurator.Host(broker.Host, (ushort)(broker.IsDefaultPort || broker.Port < 0 ? 5672 : broker.Port), virtualHost, host =>
            {
                host.Username(user);
                host.Password(password);
            });
            configure(context, configurator);
        });
    }

    private static (string User, string Password) Credentials(Uri broker)
    {
        if (string.IsNullOrEmpty(broker.UserInfo))
        {
            return ("guest", "guest");
        }
        var parts = broker.UserInfo.Split(':', 2);
        return (Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
    }

    /// <summary>Loads the silo's <c>--model</c> into the predictor grain at start.</summary>
    private sealed class InitialModelLoader(Predictor predictor, string model) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (predictor.Current is null)
            {
                predictor.Swap(model);
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
