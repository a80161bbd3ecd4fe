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
    private readonly Process _process;
    private readonly string _node;

    private RabbitMqBroker(int port, Process process, string node, TempDirectory directory)
    {
        Port = port;
        _process = process;
        _node = node;
        _directory = directory;
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
        var start = new ProcessStartInfo(Server) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        Configure(start, directory, node, port, distribution);
        var process = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var broker = new RabbitMqBroker(port, process, node, directory);
        var clock = Stopwatch.StartNew();
        while (!Accepts(port))
        {
            if (process.HasExited || clock.Elapsed > s_startTimeout)
            {
                broker.Dispose();
                string tail;
                lock (log)
                {
                    tail = log.ToString()[^Math.Min(2000, log.Length)..];
                }
                throw new InvalidOperationException($"rabbitmq-server did not accept connections on port {port} within {s_startTimeout.TotalSeconds:0} s (exited: {process.HasExited}); output:\n{tail}");
            }
            Thread.Sleep(200);
        }
        return broker;
    }

    public void Dispose()
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
