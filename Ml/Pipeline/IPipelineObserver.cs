namespace Distributed.Ml.Pipeline;

/// <summary>Receives progress of a pipeline run (a progress bar, a metric exporter, a log).</summary>
public interface IPipelineObserver
{
    /// <summary>A stage began.</summary>
    void StageStarted(string stage);

    /// <summary>A stage ended after <paramref name="elapsed"/>.</summary>
    void StageCompleted(string stage, TimeSpan elapsed);
}
