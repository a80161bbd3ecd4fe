using Distributed.Grains.Cluster.Coordinator;
using Distributed.Grains.Interfaces.Cluster;
using Prometheus;

namespace Distributed.Grains.Monitoring;

/// <summary>
/// What the cluster's grains do, as metrics of the silo they run on: shard work waiting per role (a
/// coordinator's fan-outs; the gauge cpu silos autoscale on), shard work done per role and operation
/// (worker silos), and each running job's phase and progress (coordinator silos). Grain call latency
/// comes from Orleans' own meter (<see cref="HostMetrics"/>). Thread-safe.
/// </summary>
public sealed class ClusterMetrics
{
    /// <summary>The <c>operation</c> label of each <see cref="ShardOperation"/>, by value: <c>encode</c>, <c>embed</c>, ...</summary>
    private static readonly string[] s_operationLabels = [.. Enum.GetNames<ShardOperation>().Select(name => name.ToLowerInvariant())];

    private static readonly JobPhase[] s_phases = Enum.GetValues<JobPhase>();

    private readonly Gauge _pending;
    private readonly Counter _processed;
    private readonly Gauge _phase;
    private readonly Gauge _itemsDone;
    private readonly Gauge _items;
    private readonly Counter _transientErrors;

    /// <summary>Creates the metrics in the host's registry.</summary>
    public ClusterMetrics(HostMetrics host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var factory = host.Factory;
        _pending = factory.CreateGauge("distributed_cluster_shards_pending",
            "Shard calls this coordinator has issued and not yet had answered, by the role of the silos that run them.", ["role"]);
        _processed = factory.CreateCounter("distributed_cluster_shards_processed_total",
            "Shard work this silo finished, by its role and the operation.", ["role", "operation"]);
        // Jobs are labelled job_id, not job: Prometheus gives every series the scrape job's `job`
        // label and would rename a metric's own to exported_job.
        _phase = factory.CreateGauge("distributed_job_phase",
            "1 for the phase each job that runs on this coordinator is in.", ["job_id", "phase"]);
        _itemsDone = factory.CreateGauge("distributed_job_shards_done",
            "Work items of the job's current step that are done: shards, or tree groups while the forest grows.", ["job_id"]);
        _items = factory.CreateGauge("distributed_job_shards",
            "Work items of the job's current step: shards, or tree groups while the forest grows.", ["job_id"]);
        _transientErrors = factory.CreateCounter("distributed_store_transient_errors_total",
            "Store I/O errors that can pass (full disk, device error, I/O timeout) that paused a job on this coordinator until a retry.");
    }

    /// <summary>A job paused on a store error that can pass.</summary>
    public void TransientStoreError() => _transientErrors.Inc();

    /// <summary>Shard calls issued (<paramref name="delta"/> &gt; 0) or answered (&lt; 0) for silos of <paramref name="role"/>.</summary>
    public void ShardsPending(string role, int delta) => _pending.WithLabels(role).Inc(delta);

    /// <summary>One piece of shard work finished on this silo.</summary>
    public void ShardProcessed(string role, ShardOperation operation) => _processed.WithLabels(role, s_operationLabels[(int)operation]).Inc();

    /// <summary>The job is in <paramref name="phase"/>: its series for any other phase go.</summary>
    public void JobPhase(Guid job, JobPhase phase)
    {
        var id = JobLabel(job);
        foreach (var other in s_phases.Where(p => p != phase))
        {
            _phase.RemoveLabelled(id, PhaseLabel(other));
        }
        _phase.WithLabels(id, PhaseLabel(phase)).Set(1);
    }

    /// <summary>Progress of the job's current step.</summary>
    public void JobProgress(Guid job, int done, int total)
    {
        var id = JobLabel(job);
        _itemsDone.WithLabels(id).Set(done);
        _items.WithLabels(id).Set(total);
    }

    /// <summary>The job left this silo (finished, failed, or interrupted to resume elsewhere): its series go.</summary>
    public void JobEnded(Guid job)
    {
        var id = JobLabel(job);
        foreach (var phase in s_phases)
        {
            _phase.RemoveLabelled(id, PhaseLabel(phase));
        }
        _itemsDone.RemoveLabelled(id);
        _items.RemoveLabelled(id);
    }

    private static string JobLabel(Guid job) => job.ToString("D");

    /// <summary>Phase labels as the job status writes them (<c>features</c>, <c>reduce</c>, ...).</summary>
    private static string PhaseLabel(JobPhase phase) => phase.Name();
}
