using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Distributed.Grains.Tests.Monitoring;

/// <summary>
/// A real Prometheus server on loopback with a temporary configuration and storage, scraping one
/// target; killed and cleaned up on dispose whatever happened.
/// </summary>
internal sealed class PrometheusServer : IDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly StringBuilder _log = new();

    private PrometheusServer(Process process, TempDirectory directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Address = address;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static PrometheusServer Start(string binary, string target, TimeSpan scrapeInterval)
    {
        var directory = new TempDirectory();
        try
        {
            var interval = string.Create(CultureInfo.InvariantCulture, $"{scrapeInterval.TotalMilliseconds:0}ms");
            var config = directory.File("prometheus.yml");
            File.WriteAllText(config, $"""
                global:
                  scrape_interval: {interval}
                  scrape_timeout: {interval}
                  evaluation_interval: {interval}
                scrape_configs:
                  - job_name: distributed
                    static_configs:
                      - targets: ['{target}']
                """);
            var port = FreeLoopbackPort();
            var start = new ProcessStartInfo(binary,
            [
                $"--config.file={config}",
                $"--storage.tsdb.path={directory.File("data")}",
                $"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = directory.Path,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
            return new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Asks the HTTP API for <paramref name="query"/> until it returns exactly one series (the target
    /// may not have been scraped yet) and returns its labels and value; fails after <paramref name="deadline"/>.
    /// </summary>
    public async Task<(System.Text.Json.JsonElement Labels, string Value)> QuerySingleAsync(string query, TimeSpan deadline)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow + deadline;
        string? last = null;
        while (DateTime.UtcNow < until)
        {
            try
            {
                using var document = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/v1/query?query={Uri.EscapeDataString(query)}", UriKind.Relative)));
                last = document.RootElement.ToString();
                var result = document.RootElement.GetProperty("data").GetProperty("result");
                if (result.GetArrayLength() == 1)
                {
                    return (result[0].GetProperty("metric").Clone(), result[0].GetProperty("value")[1].GetString()!);
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message; // still starting
            }
            ThrowIfExited();
            await Task.Delay(100);
        }
        throw new TimeoutException($"Prometheus did not return {query} within {deadline.TotalSeconds} s; last answer: {last}; log:\n{Log}");
    }

    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"Prometheus exited with code {_process.ExitCode}:\n{Log}");
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
            _directory.Dispose();
        }
    }

    /// <summary>A port free right now (the OS picks it); Prometheus binds it a moment later.</summary>
    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
