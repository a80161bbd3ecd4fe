namespace Distributed.Silo;

/// <summary>
/// Silo host. Liveness only so far: the grains it will host (feature extraction, coordinator,
/// forest trainers, predictor) are composed here as they land; until then the Client runs the
/// pipeline embedded.
/// </summary>
internal static class Program
{
    private static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var app = builder.Build();
        app.MapGet("/alive", () => Results.Ok(new { status = "alive" }));
        app.Run();
    }
}
