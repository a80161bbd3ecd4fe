using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>
/// A private <c>redis-server</c> on a free loopback port with its own data directory, append-only
/// so that a restart keeps what it held; stopped and its directory removed on dispose.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private static readonly TimeSpan s_startDeadline = TimeSpan.FromSeconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("distributed-redis-").FullName;
    private Process? _process;

    private readonly string? _password;

    private RedisServer(int port, string? password)
    {
        Port = port;
        _password = password;
    }

    public int Port { get; }

    /// <summary><c>host:port</c>, as the Silo's <c>--redis</c> and the Client's <c>--cluster</c> take it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Starts a private server on a free loopback port, requiring <paramref name="password"/> when one is given.</summary>
    public static RedisServer Start(string? password = null)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var server = new RedisServer(port, password);
        server.Restart();
        return server;
    }

    /// <summary>Starts (again) on the same port and directory; returns once it answers.</summary>
    public void Restart()
    {
        var start = new ProcessStartInfo("redis-server",
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory,
             "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no", "--protected-mode", "no",
             .. (_password is null ? Array.Empty<string>() : ["--requirepass", _password])])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not on PATH (Debian package redis-server; scripts/setup.sh and .ci/run install it)", e);
        }
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!Answers())
        {
            if (_process.HasExited || deadline.Elapsed > s_startDeadline)
            {
                throw new InvalidOperationException($"redis-server did not answer on {Address} within {s_startDeadline.TotalSeconds} s");
            }
            Thread.Sleep(50);
        }
    }

    /// <summary>Stops the server as an operator would (SIGTERM: it flushes the append-only file and exits).</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } process)
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                term.WaitForExit();
            }
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
            }
        }
        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        Directory.Delete(_directory, recursive: true);
    }

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            using var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            var read = stream.Read(buffer);
            var answer = System.Text.Encoding.ASCII.GetString(buffer, 0, read);
            // A server with a password answers an unauthenticated PING with NOAUTH: it is up.
            return answer.StartsWith("+PONG", StringComparison.Ordinal) || answer.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
