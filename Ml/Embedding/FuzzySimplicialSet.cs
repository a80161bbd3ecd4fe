using Distributed.Ml.Neighbors;

namespace Distributed.Ml.Embedding;

/// <summary>
/// UMAP's fuzzy simplicial set: each point's neighbour distances turned into membership strengths
/// with a local scale, then the directed graph symmetrised by fuzzy union.
/// </summary>
/// <remarks>
/// Follows umap-learn's <c>smooth_knn_dist</c> and <c>compute_membership_strengths</c>, including
/// its convention that a neighbourhood of k counts the point itself (distance 0, weight 0): the
/// search target is log₂(k) summed over the k − 1 other points.
/// </remarks>
internal static class FuzzySimplicialSet
{
    /// <summary>Binary search steps for σ.</summary>
    private const int SearchSteps = 64;

    /// <summary>Stop the search once the sum is this close to its target.</summary>
    private const double Tolerance = 1e-5;

    /// <summary>σ is at least this share of the mean neighbour distance, so that duplicates do not give σ ≈ 0.</summary>
    private const double MinScale = 1e-3;

    /// <summary>Rows per parallel work item.</summary>
    private const int BlockRows = 1024;

    /// <summary>
    /// ρ (distance to the nearest non-identical neighbour when <paramref name="localConnectivity"/>
    /// is 1; 0 when it is 0) and σ such that Σ_{j≥1} exp(−max(0, d_j − ρ)/σ) = <paramref name="target"/>.
    /// </summary>
    /// <param name="distances">umap-learn's row: ascending, column 0 (normally the point itself) left out of the sum.</param>
    /// <param name="target">log₂ of the neighbourhood size.</param>
    /// <param name="localConnectivity">1 for a fit (the nearest neighbour is fully connected), 0 for a transform.</param>
    /// <param name="meanDistance">Mean of all neighbour distances of the fit, for the minimum σ when ρ = 0.</param>
    public static (float Rho, float Sigma) SmoothDistances(ReadOnlySpan<float> distances, double target, int localConnectivity, double meanDistance)
    {
        var rho = 0f;
        if (localConnectivity > 0)
        {
            var nonZero = 0;
            foreach (var distance in distances)
            {
                if (distance > 0)
                {
                    rho = distance;
                    if (++nonZero == localConnectivity)
                    {
                        break;
                    }
                }
            }
        }
        double low = 0, high = double.PositiveInfinity, mid = 1;
        for (var step = 0; step < SearchSteps; step++)
        {
            var sum = 0.0;
            for (var j = 1; j < distances.Length; j++)
            {
                var excess = distances[j] - rho;
                sum += excess > 0 ? Math.Exp(-(excess / mid)) : 1.0;
            }
            if (Math.Abs(sum - target) < Tolerance)
            {
                break;
            }
            if (sum > target)
            {
                high = mid;
                mid = (low + high) / 2;
            }
            else
            {
                low = mid;
                mid = double.IsPositiveInfinity(high) ? mid * 2 : (low + high) / 2;
            }
        }
        var sigma = (float)mid;
        double floor;
        if (rho > 0)
        {
            var sum = 0.0;
            foreach (var distance in distances)
            {
                sum += distance;
            }
            floor = MinScale * sum / distances.Length;
        }
        else
        {
            floor = MinScale * meanDistance;
        }
        return (rho, sigma < floor ? (float)floor : sigma);
    }

    /// <summary>Membership strength of a neighbour at <paramref name="distance"/>.</summary>
    public static float Membership(float distance, float rho, float sigma)
    {
        var excess = distance - rho;
        return excess <= 0 || sigma == 0 ? 1f : (float)Math.Exp(-(excess / sigma));
    }

    /// <summary>
    /// The symmetrised graph A + Aᵀ − A∘Aᵀ from a k-NN graph of k − 1 other points per row
    /// (<paramref name="neighborhood"/> = k counts the point itself). Also returns the mean
    /// neighbour distance (self included as 0, as umap-learn averages it), which a transform needs.
    /// </summary>
    public static (SparseGraph Graph, double MeanDistance) Build(KnnGraph knn, int neighborhood)
    {
        var n = knn.Count;
        var m = knn.Neighbors;
        var total = 0.0;
        foreach (var distance in knn.Distances)
        {
            total += distance;
        }
        var meanDistance = total / ((double)n * (m + 1));
        var target = Math.Log2(neighborhood);
        var directed = new float[n * m];
        var blocks = (n + BlockRows - 1) / BlockRows;
        Parallel.For(0, blocks, block =>
        {
            Span<float> row = stackalloc float[m + 1];
            var end = Math.Min(n, (block + 1) * BlockRows);
            for (var i = block * BlockRows; i < end; i++)
            {
                row[0] = 0f;
                knn.DistancesOf(i).CopyTo(row[1..]);
                var (rho, sigma) = SmoothDistances(row, target, 1, meanDistance);
                for (var j = 0; j < m; j++)
                {
                    directed[i * m + j] = knn.IndicesOf(i)[j] < 0 ? 0f : Membership(row[j + 1], rho, sigma);
                }
            }
        });
        return (Symmetrise(knn, directed), meanDistance);
    }

    /// <summary>Fuzzy union: w(i,j) = a + b − a·b for the two directed strengths a = A[i,j], b = A[j,i].</summary>
    private static SparseGraph Symmetrise(KnnGraph knn, float[] directed)
    {
        var n = knn.Count;
        var m = knn.Neighbors;
        var rows = new int[2 * n * m];
        var columns = new int[rows.Length];
        var weights = new float[rows.Length];
        var entries = 0;
        for (var i = 0; i < n; i++)
        {
            var neighbours = knn.IndicesOf(i);
            for (var s = 0; s < m; s++)
            {
                var j = neighbours[s];
                if (j < 0)
                {
                    continue;
                }
                var forward = directed[i * m + s];
                var back = knn.IndicesOf(j).IndexOf(i);
                var backward = back >= 0 ? directed[j * m + back] : 0f;
                var union = forward + backward - forward * backward;
                (rows[entries], columns[entries], weights[entries]) = (i, j, union);
                entries++;
                if (back < 0)
                {
                    (rows[entries], columns[entries], weights[entries]) = (j, i, union);
                    entries++;
                }
            }
        }
        return SparseGraph.FromEntries(n, rows, columns, weights, entries);
    }
}
