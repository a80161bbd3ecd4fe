using Distributed.Ml.Numerics;
using Distributed.Ml.Refinement;

namespace Distributed.Ml.Tests.Refinement;

public class ConfidentSelectionTests
{
    // Two clusters on a line: centroids at 0 (rows 0–3) and 10 (rows 4–7); row 3 sits at 6, nearer the other centroid.
    private static readonly Matrix Line = new(8, 1, [-1f, 0f, 1f, 6f, 9f, 10f, 11f, 10f]);
    private static readonly int[] Labels = [0, 0, 0, 0, 1, 1, 1, 1];

    [Fact]
    public void RelativeMarginsByHand()
    {
        // Centroids: cluster 0 at 1.5, cluster 1 at 10. Row 1 (at 0): own 1.5, other 10 → (10 − 1.5) / 10.
        var margins = ConfidentSelection.RelativeMargins(Line, Labels);
        Assert.Equal(0.85, margins[1], 6);
        // Row 3 (at 6): own 4.5, other 4 → (4 − 4.5) / 4.5 < 0.
        Assert.Equal(-0.5 / 4.5, margins[3], 6);
    }

    [Fact]
    public void TakesTheDeepestShareOfEveryCluster()
    {
        // Half of each cluster: rows 2 (margin 8.5/9) and 1 (0.85) of cluster 0; rows 5 and 7, at their centroid (margin 1), of cluster 1.
        Assert.Equal([1, 2, 5, 7], ConfidentSelection.Choose(Line, Labels, 2, 0.5));
    }

    [Fact]
    public void ARowNearerAnotherClusterIsNeverTaken() =>
        Assert.DoesNotContain(3, ConfidentSelection.Choose(Line, Labels, 2, 1));

    [Fact]
    public void NoiseRowsAreNeverTaken()
    {
        int[] labels = [0, 0, 0, -1, 1, 1, 1, 1];
        Assert.Equal([0, 1, 2, 4, 5, 6, 7], ConfidentSelection.Choose(Line, labels, 2, 1));
    }

    [Fact]
    public void AShareOutsideZeroToOneIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ConfidentSelection.Choose(Line, Labels, 2, 0));
}
