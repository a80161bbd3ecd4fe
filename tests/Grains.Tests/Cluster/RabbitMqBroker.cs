using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>
/// A private RabbitMQ node for one test: Debian's rabbitmq-server started on free ports with its
/// own node name, data and log directories and Erlang cookie under a temporary directory, stopped
/// and removed on dispose. Starting fails with a message saying what is missing (never a silent pass).
/// </summary>
internal sealed class RabbitMqBroker : IDisposable
{
    private const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private const string Control = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(90);

    private readonly TempDirectory _directory;
    private readonly string _node;
    private readonly int _distribution;
    private Process _process;

    private RabbitMqBroker(int port, int distribution, string node, TempDirectory directory)
    {
        Port = port;
        _distribution = distribution;
        _node = node;
        _directory = directory;
        _process = Launch();
    }

    public int Port { get; }

    public Uri Uri => new($"amqp://guest:guest@127.0.0.1:{Port}/");

    /// <summary>Starts a node and waits until it accepts AMQP connections.</summary>
    /// <exception cref="InvalidOperationException">rabbitmq-server is not installed or did not start in time (with its log tail).</exception>
    public static RabbitMqBroker Start()
    {
        if (!File.Exists(Server))
        {
            throw new InvalidOperationException($"RabbitMQ is needed by this test but {Server} is missing: install Debian's rabbitmq-server (scripts/setup.sh does)");
        }
        var directory = new TempDirectory();
        var (port, distribution) = (FreePort(), FreePort());
        var node = $"distributed-test-{Environment.ProcessId}-{port}@localhost";
        File.WriteAllText(directory.File("enabled_plugins"), "[].");
        var broker = new RabbitMqBroker(port, distribution, node, directory);
        broker.WaitUntilUp();
        return broker;
    }

    /// <summary>Stops the node and starts it again on the same port and data directory (durable queues and persistent messages survive).</summary>
    public void Restart()
    {
        Stop();
        _process.Dispose();
        _process = Launch();
        WaitUntilUp();
    }

    public void Dispose()
    {
        try
        {
            Stop();
        }
        finally
        {
            _process.Dispose();
            try
            {
                _directory.Dispose();
            }
            catch (IOException)
            {
                // The node may still be closing files in its data directory; it lives under /tmp.
            }
        }
    }

    private readonly System.Text.StringBuilder _log = new();

    private Process Launch()
    {
        var start = new ProcessStartInfo(Server) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        Configure(start, _directory, _node, Port, _distribution);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void WaitUntilUp()
    {
        var clock = Stopwatch.StartNew();
        while (!Accepts(Port))
        {
            if (_process.HasExited || clock.Elapsed > s_startTimeout)
            {
                string tail;
                lock (_log)
                {
                    tail = _log.ToString()[^Math.Min(2000, _log.Length)..];
                }
                var exited = _process.HasExited;
                Dispose();
                throw new InvalidOperationException($"rabbitmq-server did not accept connections on port {Port} within {s_startTimeout.TotalSeconds:0} s (exited: {exited}); output:\n{tail}");
            }
            Thread.Sleep(200);
        }
    }

    /// <summary>Stops the node (rabbitmqctl stop, then a kill if it lingers).</summary>
    private void Stop()
    {
        try
        {
            if (!_process.HasExited)
            {
                var stop = new ProcessStartInfo(Control, ["-n", _node, "stop"]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                stop.Environment["HOME"] = _directory.Path;
                using var control = Process.Start(stop)!;
                if (!control.WaitForExit(TimeSpan.FromSeconds(30)))
                {
                    control.Kill(entireProcessTree: true);
                }
            }
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
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

    private static void Configure(ProcessStartInfo start, TempDirectory directory, string node, int port, int distribution)
    {
        start.Environment["HOME"] = directory.Path;
        start.Environment["RABBITMQ_NODENAME"] = node;
        start.Environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        start.Environment["RABBITMQ_NODE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["RABBITMQ_DIST_PORT"] = distribution.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["RABBITMQ_MNESIA_BASE"] = directory.File("mnesia");
        start.Environment["RABBITMQ_LOG_BASE"] = directory.File("log");
        start.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = directory.File("enabled_plugins");
        start.Environment["RABBITMQ_PLUGINS_EXPAND_DIR"] = directory.File("plugins-expand");
        start.Environment["RABBITMQ_CONFIG_FILE"] = directory.File("rabbitmq");
        start.Environment["RABBITMQ_ADVANCED_CONFIG_FILE"] = directory.File("advanced.config");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
