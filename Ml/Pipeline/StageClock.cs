using System.Diagnostics;

namespace Distributed.Ml.Pipeline;

/// <summary>Times named stages, records their seconds and tells an optional observer when each starts and ends.</summary>
public sealed class StageClock(IPipelineObserver? observer)
{
    private readonly Dictionary<string, double> _seconds = [];

    /// <summary>Seconds per completed stage.</summary>
    public IReadOnlyDictionary<string, double> Seconds => _seconds;

    /// <summary>Runs <paramref name="work"/> as stage <paramref name="name"/>.</summary>
    public T Run<T>(string name, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        observer?.StageStarted(name);
        var clock = Stopwatch.StartNew();
        var result = work();
        _seconds[name] = clock.Elapsed.TotalSeconds;
        observer?.StageCompleted(name, clock.Elapsed);
        return result;
    }
}
