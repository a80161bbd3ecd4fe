using Distributed.Ml.Numerics;

namespace Distributed.Bench;

/// <summary>
/// The <c>pca</c> entry's quality, computed the same way for every side (<c>explained_variance_ratio</c>
/// in <c>bench/reference.py</c>): the summed variance of the projected columns over the summed
/// variance of the input columns, in float64. It is measured on each side's projection rather than
/// taken from the model's own eigenvalues, so an approximate (randomized) fit is scored by what it
/// actually keeps of the data.
/// </summary>
internal static class ExplainedVariance
{
    public static double Ratio(Matrix data, Matrix projection)
    {
        if (data.Rows != projection.Rows)
        {
            throw new ArgumentException($"{projection.Rows} projected rows for {data.Rows} input rows", nameof(projection));
        }
        return TotalVariance(projection) / TotalVariance(data);
    }

    /// <summary>Sum over columns of the sample variance (divisor n − 1), two passes in float64.</summary>
    private static double TotalVariance(Matrix matrix)
    {
        var means = new double[matrix.Cols];
        for (var i = 0; i < matrix.Rows; i++)
        {
            var row = matrix.Row(i);
            for (var j = 0; j < row.Length; j++)
            {
                means[j] += row[j];
            }
        }
        for (var j = 0; j < means.Length; j++)
        {
            means[j] /= matrix.Rows;
        }
        var total = 0.0;
        for (var i = 0; i < matrix.Rows; i++)
        {
            var row = matrix.Row(i);
            for (var j = 0; j < row.Length; j++)
            {
                var delta = row[j] - means[j];
                total += delta * delta;
            }
        }
        return total / (matrix.Rows - 1);
    }
}
