using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>
/// A Silo host started as its own process (the built Distributed.Silo.dll) on a Redis cluster,
/// with membership timings shortened so that a killed silo is declared dead in seconds; killed on dispose.
/// </summary>
internal sealed partial class SiloProcess : IDisposable
{
    private static readonly TimeSpan s_startDeadline = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly System.Text.StringBuilder _log = new();
    private readonly TaskCompletionSource<Uri> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="roles">The silo's roles.</param>
    /// <param name="redis">The cluster's Redis; null for a silo alone on localhost.</param>
    /// <param name="store">The shared store.</param>
    /// <param name="id">The silo's id.</param>
    /// <param name="environment">More settings (e.g. <c>Silo__RedisPassword</c>), as a pod's environment.</param>
    public SiloProcess(string roles, string? redis, string store, string id, IReadOnlyDictionary<string, string>? environment = null)
    {
        Id = id;
        string[] cluster = redis is null ? [] : ["--redis", redis];
        var start = new ProcessStartInfo("dotnet", [SiloAssembly(), "--roles", roles, .. cluster, "--store", store, "--id", id, "--http-port", "0"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Distributed"] = "Information";
        // Test timings, not production defaults: a silo that misses 2 probes of 1 s is declared dead.
        start.Environment["Orleans__ClusterMembership__ProbeTimeout"] = "00:00:01";
        start.Environment["Orleans__ClusterMembership__NumMissedProbesLimit"] = "2";
        start.Environment["Orleans__ClusterMembership__TableRefreshTimeout"] = "00:00:02";
        start.Environment["Orleans__ClusterMembership__IAmAliveTablePublishTimeout"] = "00:00:05";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Id { get; }

    public bool HasExited => _process.HasExited;

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

    /// <summary>Waits for the start line; returns the silo's HTTP address.</summary>
    public async Task<Uri> StartedAsync()
    {
        var finished = await Task.WhenAny(_started.Task, Task.Delay(s_startDeadline));
        return finished == _started.Task ? await _started.Task : throw new TimeoutException($"silo {Id} did not start within {s_startDeadline.TotalSeconds} s:\n{Log}");
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod: returns the exit code, or null if it did not exit within <paramref name="grace"/>.</summary>
    public int? Terminate(TimeSpan grace)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }
        return _process.WaitForExit(grace) ? _process.ExitCode : null;
    }

    /// <summary>SIGKILL: no drain, no goodbye.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }

    /// <summary>Runs the Client (the build of the same configuration) to its end; returns its exit code and output.</summary>
    public static (int Code, string Stdout, string Stderr) RunClient(params string[] arguments) => Run(Built("Client", "Distributed.Client.dll"), arguments, null);

    /// <summary>Runs the Client with more environment variables (e.g. <c>REDIS_PASSWORD</c>).</summary>
    public static (int Code, string Stdout, string Stderr) RunClient(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Run(Built("Client", "Distributed.Client.dll"), arguments, environment);

    /// <summary>Runs a Silo that is expected to stop by itself (bad settings); returns its exit code and output.</summary>
    public static (int Code, string Stdout, string Stderr) RunSilo(params string[] arguments) => Run(SiloAssembly(), arguments, null);

    /// <summary>Runs a Silo that is expected to stop by itself, with more settings in its environment.</summary>
    public static (int Code, string Stdout, string Stderr) RunSilo(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Run(SiloAssembly(), arguments, environment);

    private static (int Code, string Stdout, string Stderr) Run(string assembly, string[] arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet", [assembly, .. arguments])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(assembly)} {string.Join(" ", arguments)} did not end within 60 s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string SiloAssembly() => Built("Silo", "Distributed.Silo.dll");

    /// <summary>A host's build of the same configuration as this test assembly (tests/Grains.Tests/bin/C/net10.0 → &lt;project&gt;/bin/C/net10.0).</summary>
    private static string Built(string project, string assembly)
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testBin.Parent!.Name;
        var framework = testBin.Name;
        for (var directory = testBin; directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, project, "bin", configuration, framework, assembly);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"{assembly} ({configuration}) not found above {testBin.FullName}: build the solution first");
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
        if (StartLine().Match(line) is { Success: true } match)
        {
            _started.TrySetResult(new Uri(match.Groups[1].Value.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)));
        }
    }

    [GeneratedRegex(@"^silo .*, http (http://[^\s,]+)")]
    private static partial Regex StartLine();
}
