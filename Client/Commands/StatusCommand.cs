using System.CommandLine;
using System.Globalization;
using Distributed.Client.Cluster;
using Distributed.Grains.Cluster.Hosting;

namespace Distributed.Client.Commands;

/// <summary><c>status --cluster &lt;amqp-uri&gt;</c>: the cluster's live silos with their roles, and its jobs with their progress.</summary>
internal static class StatusCommand
{
    public static Command Create(TextWriter output)
    {
        var cluster = new Option<string>("--cluster") { Description = "The broker's amqp:// URI", Required = true };
        var command = new Command("status", "List a cluster's silos, roles, jobs and progress") { cluster };
        command.SetAction(parse =>
        {
            var text = parse.GetValue(cluster)!;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var broker) || broker.Scheme is not ("amqp" or "rabbitmq"))
            {
                throw new UserError($"--cluster {text}: expected an amqp:// URI, e.g. amqp://guest:guest@127.0.0.1:5672/");
            }
            var temporary = Directory.CreateTempSubdirectory("distributed-status-").FullName;
            try
            {
                var session = ClusterSession.StartAsync(broker, temporary).GetAwaiter().GetResult();
                try
                {
                    var client = new ClusterJobClient(session.Bus, session.Store, new ClusterJobSettings { CoordinatorTimeout = TimeSpan.FromSeconds(20) });
                    var status = client.StatusAsync().GetAwaiter().GetResult();
                    output.WriteLine($"silos ({status.Silos.Count}):");
                    foreach (var silo in status.Silos)
                    {
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {silo.SiloId,-36} {string.Join(",", silo.Roles),-28} {silo.Host} pid {silo.ProcessId}, up since {silo.StartedUtc:u}"));
                    }
                    output.WriteLine($"jobs ({status.Jobs.Count}):");
                    foreach (var job in status.Jobs)
                    {
                        var progress = job.Total > 0 ? $" {job.Done}/{job.Total}" : "";
                        var detail = job.Error ?? job.Detail;
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {job.JobId:N} {job.State,-9} {job.Phase}{progress} {detail} ({job.Messages} messages)"));
                    }
                }
                finally
                {
                    session.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }
            finally
            {
                Directory.Delete(temporary, recursive: true);
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
