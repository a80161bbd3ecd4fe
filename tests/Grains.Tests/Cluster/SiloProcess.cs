using System.Diagnostics;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>A Silo host started as its own process (the built Distributed.Silo.dll), killed on dispose.</summary>
internal sealed class SiloProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _log = new();

    public SiloProcess(string roles, Uri broker, string store, string id, params string[] extra)
    {
        Id = id;
        var start = new ProcessStartInfo("dotnet", [SiloAssembly(), "--roles", roles, "--broker", broker.ToString(), "--store", store, "--id", id, "--http-port", "0", .. extra])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Distributed"] = "Information";
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

    /// <summary>SIGTERM, as Kubernetes stops a pod: returns the exit code, or null if it did not exit within <paramref name="grace"/>.</summary>
    public int? Terminate(TimeSpan grace)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }
        return _process.WaitForExit(grace) ? _process.ExitCode : null;
    }

    /// <summary>SIGKILL: no drain, no goodbye; its unacknowledged messages go back to the queue.</summary>
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

    /// <summary>The Silo build of the same configuration as this test assembly (tests/Grains.Tests/bin/C/net10.0 → Silo/bin/C/net10.0).</summary>
    private static string SiloAssembly()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testBin.Parent!.Name;
        var framework = testBin.Name;
        for (var directory = testBin; directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "Silo", "bin", configuration, framework, "Distributed.Silo.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"Distributed.Silo.dll ({configuration}) not found above {testBin.FullName}: build the solution first");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
