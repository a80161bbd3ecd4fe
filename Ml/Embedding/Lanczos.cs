using Distributed.Ml.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace Distributed.Ml.Embedding;

/// <summary>
/// The largest eigenpairs of a symmetric operator by thick-restart Lanczos (Wu and Simon 2000)
/// with full reorthogonalisation, restricted to the complement of known eigenvectors (deflation).
/// </summary>
/// <remarks>
/// A basis of <c>basisSize</c> vectors is grown by Lanczos steps; the Ritz pairs of the projected
/// matrix are computed densely; when the wanted ones have not converged the best Ritz vectors
/// (the wanted ones and as many again) are kept and the basis regrown from the residual. Dot
/// products run sequentially in double precision, so results are reproducible whatever the
/// operator's parallelism (as long as the operator itself is deterministic).
/// </remarks>
internal sealed class Lanczos
{
    /// <summary>Sub-stream of <see cref="RandomStreams.Embedding"/> for breakdown restarts.</summary>
    private const ulong BreakdownPurpose = 3;

    private readonly int _n;
    private readonly Action<double[], double[]> _apply;
    private readonly double[][] _deflation;
    private readonly ulong _seed;

    /// <param name="n">Dimension of the operator.</param>
    /// <param name="apply">y = A·x (must not keep x or y).</param>
    /// <param name="deflation">Orthonormal vectors projected out of the search space.</param>
    /// <param name="seed">Seed for the replacement direction after a breakdown.</param>
    public Lanczos(int n, Action<double[], double[]> apply, double[][] deflation, ulong seed)
    {
        _n = n;
        _apply = apply;
        _deflation = deflation;
        _seed = seed;
    }

    /// <summary>Operator applications used by the last <see cref="Solve"/>.</summary>
    public int Applications { get; private set; }

    /// <summary>
    /// The <paramref name="wanted"/> largest eigenpairs (values descending, vectors as arrays), or
    /// null when they did not reach residual ‖A·v − θ·v‖ ≤ <paramref name="tolerance"/> within the budget.
    /// </summary>
    public (double[] Values, double[][] Vectors)? Solve(int wanted, int basisSize, double tolerance, int maxApplications, double[] start)
    {
        var m = Math.Min(basisSize, _n - _deflation.Length);
        if (wanted < 1 || m <= wanted)
        {
            return null;
        }
        var keep = Math.Min(m - 1, 2 * wanted);
        var basis = new double[m][];
        for (var i = 0; i < m; i++)
        {
            basis[i] = new double[_n];
        }
        var spare = new double[m][];
        var h = new double[m, m];
        var w = new double[_n];
        var coefficients = new double[m];
        Array.Copy(start, basis[0], _n);
        Project(basis[0], basis, 0);
        if (Normalise(basis[0]) == 0)
        {
            return null;
        }
        var kept = 0;
        Applications = 0;
        while (true)
        {
            var beta = 0.0;
            for (var j = kept; j < m; j++)
            {
                _apply(basis[j], w);
                Applications++;
                Array.Clear(coefficients);
                // Modified Gram–Schmidt, twice ("twice is enough"), against the basis and the deflation.
                for (var pass = 0; pass < 2; pass++)
                {
                    for (var i = 0; i <= j; i++)
                    {
                        var c = Dot(basis[i], w);
                        coefficients[i] += c;
                        Axpy(-c, basis[i], w);
                    }
                    ProjectDeflation(w);
                }
                for (var i = 0; i <= j; i++)
                {
                    h[i, j] = coefficients[i];
                    h[j, i] = coefficients[i];
                }
                beta = Math.Sqrt(Dot(w, w));
                if (j + 1 < m)
                {
                    if (beta <= 1e-12)
                    {
                        // Invariant subspace: continue from any vector orthogonal to it.
                        FillDeterministic(basis[j + 1], j + 1);
                        Project(basis[j + 1], basis, j + 1);
                        if (Normalise(basis[j + 1]) == 0)
                        {
                            return null;
                        }
                        beta = 0;
                    }
                    else
                    {
                        for (var t = 0; t < _n; t++)
                        {
                            basis[j + 1][t] = w[t] / beta;
                        }
                    }
                }
            }

            var evd = Matrix<double>.Build.DenseOfArray(h).Evd(Symmetricity.Symmetric);
            var values = evd.EigenValues.Real().ToArray();
            var vectors = evd.EigenVectors;
            var order = Enumerable.Range(0, m).OrderByDescending(i => values[i]).ToArray();
            var converged = true;
            for (var r = 0; r < wanted; r++)
            {
                converged &= Math.Abs(beta * vectors[m - 1, order[r]]) <= tolerance;
            }
            if (converged || Applications + (m - keep) > maxApplications)
            {
                if (!converged)
                {
                    return null;
                }
                var resultVectors = RitzVectors(basis, vectors, order, wanted, spare);
                return (order.Take(wanted).Select(i => values[i]).ToArray(), resultVectors);
            }

            // Thick restart: keep the best Ritz vectors, continue from the residual direction.
            var ritz = RitzVectors(basis, vectors, order, keep, spare);
            for (var i = 0; i < keep; i++)
            {
                spare[i] = basis[i];
                basis[i] = ritz[i];
            }
            var residual = w;
            Normalise(residual);
            w = basis[keep];
            basis[keep] = residual;
            Array.Clear(h);
            for (var i = 0; i < keep; i++)
            {
                h[i, i] = values[order[i]];
            }
            kept = keep;
        }
    }

    /// <summary>Ritz vectors V·y for the first <paramref name="count"/> entries of <paramref name="order"/>, written into fresh or spare arrays.</summary>
    private double[][] RitzVectors(double[][] basis, Matrix<double> vectors, int[] order, int count, double[][] spare)
    {
        var result = new double[count][];
        for (var r = 0; r < count; r++)
        {
            var target = spare[r] ?? new double[_n];
            spare[r] = null!;
            Array.Clear(target);
            for (var j = 0; j < basis.Length; j++)
            {
                Axpy(vectors[j, order[r]], basis[j], target);
            }
            result[r] = target;
        }
        return result;
    }

    private void Project(double[] v, double[][] basis, int count)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            ProjectDeflation(v);
            for (var i = 0; i < count; i++)
            {
                Axpy(-Dot(basis[i], v), basis[i], v);
            }
        }
    }

    private void ProjectDeflation(double[] v)
    {
        foreach (var u in _deflation)
        {
            Axpy(-Dot(u, v), u, v);
        }
    }

    /// <summary>A pseudo-random vector (for the rare breakdown), a function of the seed and its slot.</summary>
    private void FillDeterministic(double[] v, int slot)
    {
        var rng = Rng.Derive(_seed, RandomStreams.Embedding, BreakdownPurpose, (ulong)slot);
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = rng.NextDouble() - 0.5;
        }
    }

    private static double Normalise(double[] v)
    {
        var norm = Math.Sqrt(Dot(v, v));
        if (norm == 0 || !double.IsFinite(norm))
        {
            return 0;
        }
        for (var i = 0; i < v.Length; i++)
        {
            v[i] /= norm;
        }
        return norm;
    }

    private static double Dot(double[] x, double[] y) => System.Numerics.Tensors.TensorPrimitives.Dot<double>(x, y);

    /// <summary>y += alpha·x.</summary>
    private static void Axpy(double alpha, double[] x, double[] y) => System.Numerics.Tensors.TensorPrimitives.MultiplyAdd<double>(x, alpha, y, y);
}
