namespace Distributed.Ml.Rebalancing;

/// <summary>What <see cref="SmoteTomek"/> produced and the class counts along the way.</summary>
/// <param name="Rows">The resampled rows and labels.</param>
/// <param name="CountsBefore">Rows per class on input.</param>
/// <param name="CountsAfterSmote">Rows per class after SMOTE (every class as large as the largest).</param>
/// <param name="CountsAfter">Rows per class after removing the Tomek links.</param>
public sealed record SmoteTomekResult(
    LabelledRows Rows,
    SortedDictionary<int, long> CountsBefore,
    SortedDictionary<int, long> CountsAfterSmote,
    SortedDictionary<int, long> CountsAfter);
