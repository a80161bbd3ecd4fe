namespace Distributed.Bench;

/// <summary>
/// One benchmark entry, our side. Its scikit-learn counterpart is the function of the same name in
/// <c>bench/reference.py</c>; both read the same prepared inputs from <see cref="BenchData"/>.
/// </summary>
internal interface IBenchEntry
{
    /// <summary>Entry name on the command line and in <c>bench/results.json</c> (snake_case).</summary>
    string Name { get; }

    /// <summary>Name of the number reported as quality, e.g. <c>inertia</c> or <c>held_out_accuracy</c>.</summary>
    string QualityMetric { get; }

    /// <summary>Runs the code paths once on a tiny input so the timed run does not pay for the JIT.</summary>
    void WarmUp(BenchData data);

    /// <summary>Runs the entry; only the measured operation is inside the reported seconds.</summary>
    EntryResult Run(BenchData data);
}

/// <summary>What one side of an entry reports.</summary>
/// <param name="Seconds">Wall time of the measured operation only (no loading, no scoring).</param>
/// <param name="Quality">The entry's quality number (see <see cref="IBenchEntry.QualityMetric"/>).</param>
/// <param name="Notes">Free text: secondary figures worth reading beside the table.</param>
internal sealed record EntryResult(double Seconds, double Quality, string Notes);
