using System.Diagnostics;
using System.Text.Json.Nodes;
using Distributed.Grains.Interfaces.Serving;
using Distributed.Grains.Monitoring;
using Distributed.Grains.Serving;
using Distributed.Grains.Storage;
using Distributed.Ml.Pipeline;
using MessagePack;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace Distributed.Grains.Apis;

/// <summary>
/// The predictor's HTTP API: <c>POST /v1/predict</c>, <c>GET /v1/model</c>, <c>POST /v1/model/reload</c>
/// and the OpenAPI document. Every refused request gets a problem details body saying what is wrong.
/// </summary>
public static class PredictorApi
{
    /// <summary>Reason label: the request's content type is neither .npy, JSON nor MessagePack.</summary>
    public const string UnsupportedMediaType = "unsupported_media_type";

    /// <summary>Reason label: no model is loaded yet.</summary>
    public const string NoModel = "no_model";

    /// <summary>Reason label: the request exceeded <see cref="PredictorOptions.RequestTimeout"/>.</summary>
    public const string Timeout = "timeout";

    /// <summary>Reason label: a reload came while another was running.</summary>
    public const string ReloadRunning = "reload_running";

    /// <summary>Reason label: a reload found an unusable bundle.</summary>
    public const string BadBundle = "bad_bundle";

    /// <summary>Maps the endpoints; needs <c>AddPredictor()</c>.</summary>
    public static IEndpointRouteBuilder MapPredictorApi(this IEndpointRouteBuilder app)
    {
        // Resolve now so the model_info gauge exists from the first scrape on.
        app.ServiceProvider.GetRequiredService<PredictorMetrics>();
        var api = app.MapGroup("/v1").WithTags("Predictor");
        api.MapPost("/predict", PredictAsync)
            .WithName("Predict")
            .WithSummary("Cluster, cluster probabilities and novelty of each image")
            .WithDescription("Body: application/x-npy ((N,1,28,28), (N,28,28) or (N,784), integer or float), application/json {\"images\": [[784 values], ...]} or application/msgpack {\"shape\": [n, 28, 28] or [n, 784], \"dtype\": \"uint8\" or \"float32\", \"data\": bin}. Values 0..255, or 0..1 for already scaled floats. The answer is application/msgpack when Accept prefers it, or when the request was MessagePack and Accept does not prefer JSON; otherwise JSON. Refusals are always application/problem+json.")
            .AddOpenApiOperationTransformer(DescribePredictBodyAsync)
            .Produces<PredictResponse>(StatusCodes.Status200OK, PredictorMediaTypes.Json, PredictorMediaTypes.MessagePack)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestMetrics("predict")
            .RequireAuthorization(ApiKeyAuthorization.PredictPolicy);
        api.MapGet("/model", GetModel)
            .WithName("GetModel")
            .WithSummary("Version, options, cluster sizes and training metrics of the served model")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestMetrics("model");
        api.MapPost("/model/reload", ReloadAsync)
            .WithName("ReloadModel")
            .WithSummary("Serve the model the served path names now (a run directory's current version); the old model serves until the new one is verified; 409 while another reload runs")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestMetrics("reload")
            .RequireAuthorization(ApiKeyAuthorization.AdminPolicy);
        app.MapOpenApi();
        return app;
    }

    internal static async Task<Results<Ok<PredictResponse>, FileContentHttpResult, ProblemHttpResult>> PredictAsync(
        HttpContext context, Predictor predictor, IPredictionSource source, PredictorMetrics metrics, IOptions<PredictorOptions> options)
    {
        var limits = options.Value;
        var started = Stopwatch.GetTimestamp();
        // The timeout's timer is made only once something can wait: a body still arriving, then the
        // prediction (queued with other requests, or a batch predicted in chunks). A request refused
        // while decoding needs none.
        CancellationTokenSource? timeout = null;
        CancellationToken TimeoutToken()
        {
            if (timeout is null)
            {
                timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                var remaining = limits.RequestTimeout - Stopwatch.GetElapsedTime(started);
                timeout.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            }
            return timeout.Token;
        }
        var bodyRead = false;
        try
        {
            // On a predictor silo the predictor grain answers with this same Predictor (a local
            // stateless worker), so this check holds for both sources.
            if (predictor.Current is null)
            {
                throw NotLoaded();
            }
            var format = PredictorContentNegotiation.RequestFormat(context.Request.ContentType);
            var body = RequestBody.TryReadBuffered(context.Request, limits.MaxBodyBytes)
                ?? await RequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, TimeoutToken());
            bodyRead = true;
            var images = format switch
            {
                PredictorWireFormat.Json => PredictRequestDecoder.DecodeJson(body.Span, limits.MaxImagesPerRequest),
                PredictorWireFormat.Npy => PredictRequestDecoder.DecodeNpy(body, limits.MaxImagesPerRequest),
                _ => PredictRequestDecoder.DecodeMessagePack(body, limits.MaxImagesPerRequest),
            };
            if (Stopwatch.GetElapsedTime(started) >= limits.RequestTimeout)
            {
                throw PredictionTimedOut(limits);
            }
            var answer = await source.PredictAsync(images, TimeoutToken()).ConfigureAwait(false);
            metrics.ImagesPredicted(images.Rows);
            var response = ToResponse(answer.ModelVersion, answer.Prediction, answer.ClusterNames);
            // The answer's format depends on Accept, so a cache must not hand one caller's answer to another.
            context.Response.Headers.Vary = HeaderNames.Accept;
            return PredictorContentNegotiation.AnswersMessagePack(context.Request, format)
                ? TypedResults.Bytes(MessagePackSerializer.Serialize(response, PredictorMessagePack.Options), PredictorMediaTypes.MessagePack)
                : TypedResults.Ok(response);
        }
        catch (PredictRequestException e)
        {
            return Problem(context, e);
        }
        catch (OperationCanceledException) when (timeout?.IsCancellationRequested == true && !context.RequestAborted.IsCancellationRequested)
        {
            return Problem(context, bodyRead
                ? PredictionTimedOut(limits)
                : new PredictRequestException(StatusCodes.Status408RequestTimeout, Timeout, $"the request body did not arrive within the request timeout of {limits.RequestTimeout.TotalSeconds:0.###} s"));
        }
        finally
        {
            timeout?.Dispose();
        }
    }

    private static PredictRequestException PredictionTimedOut(PredictorOptions limits) =>
        new(StatusCodes.Status504GatewayTimeout, Timeout, $"the prediction did not finish within the request timeout of {limits.RequestTimeout.TotalSeconds:0.###} s");

    internal static Results<Ok<ModelInfo>, ProblemHttpResult> GetModel(HttpContext context, Predictor predictor) =>
        predictor.Current is { } model ? TypedResults.Ok(model.Info) : Problem(context, NotLoaded());

    internal static async Task<Results<Ok<ModelInfo>, ProblemHttpResult>> ReloadAsync(HttpContext context, Predictor predictor)
    {
        if (predictor.Current is null)
        {
            return Problem(context, NotLoaded());
        }
        try
        {
            var model = await Task.Run(predictor.TryReload, context.RequestAborted);
            return model is null
                ? Problem(context, new PredictRequestException(StatusCodes.Status409Conflict, ReloadRunning, $"another reload is running; still serving model {predictor.Current?.Version}"))
                : TypedResults.Ok(model.Info);
        }
        catch (ModelBundleException e)
        {
            return Problem(context, new PredictRequestException(StatusCodes.Status409Conflict, BadBundle,
                $"{e.Message}; still serving model {predictor.Current?.Version}", e));
        }
    }

    /// <summary>Builds the response; probabilities are copied row by row out of the model's matrix.</summary>
    internal static PredictResponse ToResponse(string modelVersion, PipelinePrediction prediction, IReadOnlyDictionary<int, string>? clusterNames)
    {
        var probabilities = new float[prediction.Clusters.Length][];
        for (var i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] = prediction.Probabilities.Row(i).ToArray();
        }
        var labels = ClusterLabels.Of(prediction, clusterNames);
        return new PredictResponse(modelVersion, prediction.Clusters, probabilities, prediction.ClusterIds, prediction.Novelty, labels?.Labels, labels?.Names, labels?.Probabilities);
    }

    private static PredictRequestException NotLoaded() =>
        new(StatusCodes.Status503ServiceUnavailable, NoModel, "no model is loaded yet; /health turns 200 when one is");

    private static ProblemHttpResult Problem(HttpContext context, PredictRequestException problem)
    {
        PredictorMetrics.SetErrorReason(context, problem.Reason);
        return TypedResults.Problem(detail: problem.Message, statusCode: problem.StatusCode, title: Title(problem.StatusCode));
    }

    private static string Title(int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest => "Invalid images",
        StatusCodes.Status408RequestTimeout => "Request body timed out",
        StatusCodes.Status409Conflict => "Model not reloaded",
        StatusCodes.Status413PayloadTooLarge => "Request too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        StatusCodes.Status503ServiceUnavailable => "No model loaded",
        StatusCodes.Status504GatewayTimeout => "Prediction timed out",
        _ => "Request refused",
    };

    /// <summary>The status a typed result will write; unwraps <c>Results&lt;...&gt;</c> unions.</summary>
    private static int? StatusOf(object? result) => result switch
    {
        INestedHttpResult nested => StatusOf(nested.Result),
        IStatusCodeHttpResult { StatusCode: { } code } => code,
        _ => null,
    };

    /// <summary>
    /// Documents the three body types. Done here rather than with <c>Accepts()</c>, whose content-type
    /// matching would answer other types with a bare 415 before the handler can say what is wrong.
    /// </summary>
    private static async Task DescribePredictBodyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var json = await context.GetOrCreateSchemaAsync(typeof(PredictRequest), null, cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "Images as a .npy file, as JSON or as MessagePack",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [PredictorMediaTypes.Json] = new() { Schema = json },
                [PredictorMediaTypes.Npy] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                [PredictorMediaTypes.MessagePack] = new() { Schema = MessagePackRequestSchema() },
            },
        };
    }

    /// <summary>
    /// <see cref="PredictArrayRequest"/> described by hand: the schema generator reads JSON metadata,
    /// which would name its members in Pascal case and describe <c>data</c> as base64 text.
    /// </summary>
    private static OpenApiSchema MessagePackRequestSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "A MessagePack map with string keys; other keys are ignored",
        Required = new HashSet<string> { "shape", "dtype", "data" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["shape"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" },
                Description = "[n, 28, 28] or [n, 784] ([n, 1, 28, 28] too)",
            },
            ["dtype"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [JsonValue.Create(PredictorMessagePack.UInt8), JsonValue.Create(PredictorMessagePack.Float32)],
            },
            ["data"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Format = "binary",
                Description = "A bin of n × 784 values, row-major, little-endian: n × 784 bytes for uint8, n × 3136 for float32",
            },
        },
    };

    /// <summary>Counts and times every request of the endpoint under the <c>endpoint</c> label.</summary>
    private static RouteHandlerBuilder WithRequestMetrics(this RouteHandlerBuilder builder, string endpoint) =>
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            var metrics = factory.ApplicationServices.GetRequiredService<PredictorMetrics>();
            return async invocation =>
            {
                var started = Stopwatch.GetTimestamp();
                var status = StatusCodes.Status500InternalServerError;
                try
                {
                    var result = await next(invocation);
                    status = StatusOf(result) ?? invocation.HttpContext.Response.StatusCode;
                    return result;
                }
                finally
                {
                    if (invocation.HttpContext.RequestAborted.IsCancellationRequested)
                    {
                        status = PredictorMetrics.ClientClosedRequest;
                    }
                    metrics.RequestCompleted(invocation.HttpContext, endpoint, status, Stopwatch.GetElapsedTime(started));
                }
            };
        });
}
