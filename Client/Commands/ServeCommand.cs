using System.CommandLine;
using System.Net;
using Distributed.Grains.Apis;
using Distributed.Grains.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Distributed.Client.Commands;

/// <summary>
/// <c>serve &lt;model-dir&gt; --port &lt;p&gt;</c>: serves the predictor API, <c>/alive</c>,
/// <c>/health/ready</c>, <c>/health/startup</c> and <c>/metrics</c> from this process (Kestrel) until
/// Ctrl-C or SIGTERM.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Argument<string>("model-dir") { Description = "Model bundle directory written by run" };
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one)", Required = true };
        port.Validators.Add(result =>
        {
            if (result.GetValue(port) is < 0 or > IPEndPoint.MaxPort)
            {
                result.AddError($"--port must be in 0..{IPEndPoint.MaxPort}");
            }
        });
        var host = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => IPAddress.Loopback.ToString() };
        var defaults = new PredictorOptions();
        var maxImages = new Option<int>("--max-images") { Description = "Most images in one request", DefaultValueFactory = _ => defaults.MaxImagesPerRequest };
        var maxBody = new Option<long>("--max-body-bytes") { Description = "Largest request body", DefaultValueFactory = _ => defaults.MaxBodyBytes };
        var apiKeyFile = new Option<string>("--api-key-file")
        {
            Description = "File holding the API key that POST /v1/model/reload needs (Authorization: Bearer <key> or X-Api-Key); without it reload is open",
        };
        var requireKeyForPredict = new Option<bool>("--require-key-for-predict") { Description = "POST /v1/predict needs the API key too (needs --api-key-file)" };
        var timeout = new Option<double>("--timeout-s") { Description = "Per-request timeout in seconds", DefaultValueFactory = _ => defaults.RequestTimeout.TotalSeconds };
        var command = new Command("serve", "Serve predictions of a model bundle over HTTP (POST /v1/predict), with /alive, /health/ready and /metrics")
        {
            model, port, host, maxImages, maxBody, timeout, apiKeyFile, requireKeyForPredict,
        };
        command.SetAction(parse =>
        {
            var address = ParseHost(parse.GetValue(host)!);
            var options = new PredictorOptions
            {
                MaxImagesPerRequest = parse.GetValue(maxImages),
                MaxBodyBytes = parse.GetValue(maxBody),
                RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
            };
            ApiKeyOptions apiKey;
            try
            {
                options.Validate();
                apiKey = new ApiKeyOptions
                {
                    Key = parse.GetValue(apiKeyFile) is { } keyFile ? ApiKeyOptions.ReadKeyFile(keyFile) : null,
                    RequireForPredict = parse.GetValue(requireKeyForPredict),
                };
                apiKey.Validate();
            }
            catch (ArgumentException e)
            {
                throw new UserError(e.Message);
            }
            // Load before listening: a bad bundle is a one-line user error, not a server that stays unhealthy.
            var loaded = LoadedModel.Load(parse.GetValue(model)!);
            Run(loaded, new IPEndPoint(address, parse.GetValue(port)), options, apiKey, output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Run(LoadedModel loaded, IPEndPoint endpoint, PredictorOptions limits, ApiKeyOptions apiKey, TextWriter output)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        // Standard output carries the one "listening" line; logs go to standard error.
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Distributed", LogLevel.Information);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(endpoint);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = limits.MaxBodyBytes;
        });
        builder.Services.AddPredictor(options =>
        {
            options.MaxImagesPerRequest = limits.MaxImagesPerRequest;
            options.MaxBodyBytes = limits.MaxBodyBytes;
            options.RequestTimeout = limits.RequestTimeout;
        });

        builder.Services.Configure<ApiKeyOptions>(options =>
        {
            options.Key = apiKey.Key;
            options.RequireForPredict = apiKey.RequireForPredict;
        });

        var app = builder.Build();
        app.Services.GetRequiredService<Predictor>().Swap(loaded);
        app.UseHttpPipeline();
        app.MapHealthApi();
        app.MapPredictorApi();
        app.MapMetricsApi();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
            output.WriteLine($"serving model {loaded.Version} on {string.Join(", ", addresses ?? [])} (Ctrl-C to stop)");
            output.Flush();
        });
        app.Run();
    }

    private static IPAddress ParseHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(host, out var address) ? address
        : throw new UserError($"--host must be an IP address (e.g. 127.0.0.1 or 0.0.0.0), got '{host}'");
}
