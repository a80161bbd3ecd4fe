using Distributed.Grains.Apis;
using Distributed.Grains.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Distributed.Grains.Serving;

/// <summary>Registers the prediction service: the one composition the Silo and the Client's <c>serve</c> share.</summary>
public static class PredictorServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="Predictor"/> (with no model: the host swaps in the one it loaded before
    /// starting, or a predictor silo's registry follower does), its options (section <see cref="PredictorOptions.Section"/>, then
    /// <paramref name="configure"/>), the model health checks, the OpenAPI document, monitoring and the admin policy (model reload). Set
    /// up the request pipeline with <c>UseHttpPipeline()</c> and map the endpoints with
    /// <c>MapPredictorApi()</c>, <c>MapHealthApi()</c> and <c>MapMetricsApi()</c>.
    /// </summary>
    public static IServiceCollection AddPredictor(this IServiceCollection services, Action<PredictorOptions>? configure = null)
    {
        var options = services.AddOptions<PredictorOptions>().BindConfiguration(PredictorOptions.Section);
        if (configure is not null)
        {
            options.Configure(configure);
        }
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PredictorOptions>, PredictorOptionsValidator>());
        services.TryAddSingleton<Predictor>();
        services.TryAddSingleton<PredictorMetrics>();
        // Unless the host is a predictor silo, which predicts through its grain (AddLabellingGrains).
        services.TryAddSingleton<IPredictionSource, LocalPredictionSource>();
        services.AddHealthApi()
            .AddCheck<ModelHealthCheck>("model", tags: [HealthApi.ReadyTag])
            .AddCheck<FirstModelLoadHealthCheck>("first-model-load", tags: [HealthApi.StartupTag]);
        services.AddProblemDetails();
        services.AddOpenApi();
        services.AddMonitoring();
        services.AddApiKeyAuthorization();
        return services;
    }

    private sealed class PredictorOptionsValidator : IValidateOptions<PredictorOptions>
    {
        public ValidateOptionsResult Validate(string? name, PredictorOptions options)
        {
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
