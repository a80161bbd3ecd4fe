namespace Distributed.Ml.Pipeline;

/// <summary>Receives progress of a pipeline run (a progress bar, a metric exporter, a log).</summary>
public interface IPipelineObserver
{
    /// <summary>A stage began.</summary>
    void StageStarted(string stage);

    /// <summary>A stage ended after <paramref name="elapsed"/>.</summary>
    void StageCompleted(string stage, TimeSpan elapsed);

    /// <summary>A long stage made progress: <paramref name="done"/> of <paramref name="total"/> steps (e.g. training epochs).</summary>
    void StageProgress(string stage, int done, int total, string detail)
    {
    }
}
