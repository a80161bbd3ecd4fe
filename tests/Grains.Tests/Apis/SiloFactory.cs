using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Tests;

/// <summary>The Silo host as shipped, started with a model directory and optional predictor settings.</summary>
internal sealed class SiloFactory(string? modelPath, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Silo.Program>
{
    private static readonly TimeSpan s_loadDeadline = TimeSpan.FromSeconds(30);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (modelPath is not null)
        {
            builder.UseSetting("Silo:Model", modelPath);
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    /// <summary>Listens on a real loopback port (for clients outside the process, e.g. Prometheus) and returns its address.</summary>
    public Uri StartOnLoopback()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Uri(address);
    }

    /// <summary>A client once <c>/health/ready</c> says the model is loaded (it loads in the background); fails after a deadline.</summary>
    public async Task<HttpClient> ServingClientAsync()
    {
        var client = CreateClient();
        await WaitUntilServingAsync(client, modelPath);
        return client;
    }

    /// <summary>Polls <c>/health/ready</c> until it answers 200, within a deadline.</summary>
    public static Task WaitUntilServingAsync(HttpClient client, string? modelPath) =>
        WaitUntilOkAsync(client, "/health/ready", $"the model at {modelPath} was not loaded");

    /// <summary>Polls <paramref name="path"/> until it answers 200, within a deadline.</summary>
    public static async Task WaitUntilOkAsync(HttpClient client, string path, string? failure = null)
    {
        var deadline = DateTime.UtcNow + s_loadDeadline;
        while (true)
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{failure ?? path + " did not answer 200"} within {s_loadDeadline.TotalSeconds} s ({path}: {(int)response.StatusCode})");
            }
            await Task.Delay(20);
        }
    }
}
