using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Distributed.Client.Cluster;
using Distributed.Grains.Cluster.Coordinator;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Storage;

namespace Distributed.Client.Commands;

/// <summary><c>status --cluster &lt;redis host:port&gt; [--json]</c>: the cluster's silos with their roles, and its jobs with their progress.</summary>
internal static class StatusCommand
{
    public static Command Create(TextWriter output)
    {
        var cluster = new Option<string>("--cluster") { Description = "The cluster's Redis host:port", Required = true };
        var json = new Option<bool>("--json") { Description = "Print silos and jobs as JSON" };
        var command = new Command("status", "List a cluster's silos, roles, jobs and progress") { cluster, json };
        command.SetAction(parse =>
        {
            var redis = parse.GetValue(cluster)!;
            try
            {
                LabellingSiloHosting.RedisConfiguration(redis);
            }
            catch (ArgumentException e)
            {
                throw new UserError(e.Message);
            }
            var session = ClusterSession.ConnectAsync(redis).GetAwaiter().GetResult();
            try
            {
                var client = new ClusterJobClient(session.Grains, new ClusterJobSettings { CoordinatorTimeout = TimeSpan.FromSeconds(20) });
                var status = client.StatusAsync().GetAwaiter().GetResult();
                if (parse.GetValue(json))
                {
                    output.WriteLine(JsonSerializer.Serialize(status, Json.Options));
                    return ExitCodes.Success;
                }
                output.WriteLine($"silos ({status.Silos.Count}):");
                foreach (var silo in status.Silos)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {silo.SiloId,-24} {string.Join(",", silo.Roles),-28} {silo.Status,-12} {silo.Address}"));
                }
                output.WriteLine($"jobs ({status.Jobs.Count}):");
                foreach (var job in status.Jobs)
                {
                    var progress = job.Total > 0 ? $" {job.Done}/{job.Total}" : "";
                    var detail = job.Error ?? job.Detail;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {job.JobId:N} {job.State.ToString().ToLowerInvariant(),-9} {job.Phase.Name()}{progress} {detail} (coordinator {job.CoordinatorSilo}, {job.GrainCalls} grain calls{(job.FeatureBackend is { } backend ? $", features on {backend}" : "")})"));
                }
            }
            catch (ClusterJobException e)
            {
                throw new UserError(e.Message);
            }
            finally
            {
                session.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
