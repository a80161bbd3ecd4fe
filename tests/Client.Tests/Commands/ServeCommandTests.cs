using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Distributed.Ml.Data;

namespace Distributed.Client.Tests.Commands;

/// <summary><c>serve</c>: one-line errors for bad input, and a real server process that stops cleanly on SIGTERM.</summary>
public sealed partial class ServeCommandTests : IDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("serve-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void MissingModelDirectoryIsOneLineErrorAndExitOne()
    {
        var model = Path.Combine(_directory, "nothing-here");
        var (code, stdout, stderr) = Cli("serve", model, "--port", "0");
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Equal($"error: {model}: model directory not found", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void ForeignBundleIsOneLineErrorAndExitOne()
    {
        var model = Path.Combine(_directory, "model");
        Directory.CreateDirectory(model);
        File.WriteAllText(Path.Combine(model, "manifest.json"), "{\"format\": \"other\"}");
        var (code, _, stderr) = Cli("serve", model, "--port", "0");
        Assert.Equal(1, code);
        Assert.Contains("not a model bundle of this product", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void BadPortHostAndLimitsAreRefused()
    {
        Assert.Equal(2, Cli("serve", _directory, "--port", "70000").Code);
        Assert.Equal(2, Cli("serve", _directory).Code);
        var (code, _, stderr) = Cli("serve", _directory, "--port", "0", "--host", "example.org");
        Assert.Equal(1, code);
        Assert.Contains("--host must be an IP address", stderr);
        (code, _, stderr) = Cli("serve", _directory, "--port", "0", "--max-images", "0");
        Assert.Equal(1, code);
        Assert.Contains("max images per request must be positive", stderr);
    }

    [Fact]
    public async Task ServesPredictionsAndMetricsUntilSigterm()
    {
        var model = TrainModel();
        var start = new ProcessStartInfo("dotnet", [typeof(CliApp).Assembly.Location, "serve", model, "--port", "0", "--host", "127.0.0.1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var address = await ListeningAddressAsync(process);
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/alive", UriKind.Relative))).StatusCode);
            using var body = new MemoryStream();
            NpyWriter.Write(body, Images(1), 1, 784);
            using var content = new ByteArrayContent(body.ToArray());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
            using var predict = await http.PostAsync(new Uri("/v1/predict", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.OK, predict.StatusCode);
            Assert.Contains("\"clusters\":[", await predict.Content.ReadAsStringAsync());
            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Contains("distributed_predictor_images_predicted_total 1\n", metrics);
            Assert.Contains("distributed_predictor_model_info{version=", metrics);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            using var exited = new CancellationTokenSource(s_deadline);
            await process.WaitForExitAsync(exited.Token);
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}; stderr:\n{await stderr}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Reads standard output until the "serving model ... on http://..." line, within the deadline.</summary>
    private static async Task<Uri> ListeningAddressAsync(Process process)
    {
        using var deadline = new CancellationTokenSource(s_deadline);
        while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                return new Uri(match.Groups[1].Value);
            }
        }
        throw new InvalidOperationException($"serve exited with code {(process.WaitForExit(5000) ? process.ExitCode : -1)} before listening");
    }

    private string TrainModel()
    {
        var images = Path.Combine(_directory, "images.npy");
        using (var file = File.Create(images))
        {
            NpyWriter.Write(file, Images(60), 60, 784);
        }
        var output = Path.Combine(_directory, "out");
        var (code, _, stderr) = Cli("run", images, "--out", output, "--clusters", "3", "--pca-components", "8", "--trees", "5", "--restarts", "2", "--quiet");
        Assert.True(code == 0, stderr);
        return Path.Combine(output, "model");
    }

    internal static byte[] Images(int count)
    {
        var pixels = new byte[count * 784];
        for (var i = 0; i < count; i++)
        {
            for (var p = 0; p < 784; p++)
            {
                pixels[i * 784 + p] = (byte)((p / 28 / 9 == i % 3 ? 200 : 10) + (i * 7 + p * 13) % 30);
            }
        }
        return pixels;
    }

    private static (int Code, string Stdout, string Stderr) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [GeneratedRegex(@"^serving model \S+ on (http://[^ ,]+)")]
    private static partial Regex ListeningLine();
}
