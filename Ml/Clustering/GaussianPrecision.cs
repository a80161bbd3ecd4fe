namespace Distributed.Ml.Clustering;

/// <summary>
/// Precision factors of Gaussian components: for a covariance Σ = LLᵀ (Cholesky, L lower), the
/// inverse factor L⁻¹ maps x − μ to y with ‖y‖² the squared Mahalanobis distance, and
/// log det L⁻¹ = −½ log det Σ. scikit-learn's <c>precisions_cholesky_</c> is (L⁻¹)ᵀ.
/// </summary>
internal static class GaussianPrecision
{
    /// <summary>
    /// Writes L⁻¹ (lower triangular, row-major d×d, zeros above the diagonal) for a symmetric
    /// covariance; false when it is not positive definite.
    /// </summary>
    public static bool TryInverseCholesky(ReadOnlySpan<double> covariance, int d, Span<double> inverse, out double logDeterminant)
    {
        logDeterminant = 0;
        var factor = new double[d * d];
        for (var j = 0; j < d; j++)
        {
            var pivot = covariance[j * d + j];
            for (var l = 0; l < j; l++)
            {
                pivot -= factor[j * d + l] * factor[j * d + l];
            }
            // Written so that NaN fails too.
            if (!(pivot > 0) || double.IsInfinity(pivot))
            {
                return false;
            }
            var diagonal = Math.Sqrt(pivot);
            factor[j * d + j] = diagonal;
            for (var i = j + 1; i < d; i++)
            {
                var sum = covariance[i * d + j];
                for (var l = 0; l < j; l++)
                {
                    sum -= factor[i * d + l] * factor[j * d + l];
                }
                factor[i * d + j] = sum / diagonal;
            }
        }

        // Forward substitution, column by column: L · L⁻¹ = I.
        inverse.Clear();
        for (var j = 0; j < d; j++)
        {
            inverse[j * d + j] = 1.0 / factor[j * d + j];
            logDeterminant -= Math.Log(factor[j * d + j]);
            for (var i = j + 1; i < d; i++)
            {
                var sum = 0.0;
                for (var l = j; l < i; l++)
                {
                    sum += factor[i * d + l] * inverse[l * d + j];
                }
                inverse[i * d + j] = -sum / factor[i * d + i];
            }
        }
        return true;
    }

    /// <summary>Whether a d×d matrix is symmetric to a relative tolerance.</summary>
    public static bool IsSymmetric(ReadOnlySpan<double> matrix, int d)
    {
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var a = matrix[i * d + j];
                var b = matrix[j * d + i];
                if (!(Math.Abs(a - b) <= 1e-8 * Math.Max(1.0, Math.Max(Math.Abs(a), Math.Abs(b)))))
                {
                    return false;
                }
            }
        }
        return true;
    }
}
