using Distributed.Grains.Apis;
using Distributed.Grains.Monitoring;
using Distributed.Grains.Serving;

namespace Distributed.Silo;

/// <summary>
/// Silo host. Serves <c>/health</c>, <c>/alive</c> and <c>/metrics</c>; with a model
/// (<c>--model &lt;dir&gt;</c> or <c>Silo__Model</c>) also the predictor API. <c>--http-port</c>
/// (<c>Silo__HttpPort</c>) picks the port. The other grains are composed here as they land.
/// </summary>
public sealed class Program
{
    private static readonly Dictionary<string, string> s_switches = new()
    {
        ["--model"] = "Silo:Model",
        ["--http-port"] = "Silo:HttpPort",
    };

    private Program()
    {
    }

    private static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddCommandLine(args, s_switches);
        if (builder.Configuration.GetValue<int?>("Silo:HttpPort") is { } port)
        {
            builder.WebHost.UseUrls($"http://*:{port}");
        }
        var model = builder.Configuration["Silo:Model"];
        builder.Services.AddHealthApi();
        builder.Services.AddMonitoring();
        if (model is not null)
        {
            builder.Services.AddPredictor(options => options.ModelPath = model);
        }

        var app = builder.Build();
        app.MapHealthApi();
        app.MapMetricsApi();
        if (model is not null)
        {
            app.MapPredictorApi();
        }
        app.Run();
    }
}
