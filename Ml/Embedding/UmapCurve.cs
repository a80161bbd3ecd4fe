namespace Distributed.Ml.Embedding;

/// <summary>
/// The parameters a, b of UMAP's low-dimensional similarity 1 / (1 + a·x^(2b)), fitted as umap-learn's
/// <c>find_ab_params</c> does: least squares against the target curve (1 below <c>minDist</c>,
/// exp(−(x − minDist)/spread) above) on 300 points of [0, 3·spread].
/// </summary>
/// <remarks>
/// Levenberg–Marquardt from (1, 1), as scipy's <c>curve_fit</c>, with analytic derivatives in
/// double precision; it lands on the same minimum (to about 1e-6) for the usual settings.
/// </remarks>
internal static class UmapCurve
{
    private const int Samples = 300;
    private const int MaxIterations = 500;

    public static (double A, double B) Fit(double minDist, double spread)
    {
        var x = new double[Samples];
        var y = new double[Samples];
        for (var i = 0; i < Samples; i++)
        {
            x[i] = 3.0 * spread * i / (Samples - 1);
            y[i] = x[i] < minDist ? 1.0 : Math.Exp(-(x[i] - minDist) / spread);
        }
        double a = 1, b = 1, lambda = 1e-3;
        var error = SquaredError(x, y, a, b);
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
            for (var i = 0; i < Samples; i++)
            {
                if (x[i] <= 0)
                {
                    continue; // f(0) = 1 whatever a and b: no gradient.
                }
                var power = Math.Pow(x[i], 2 * b);
                var denominator = 1 + a * power;
                var residual = 1 / denominator - y[i];
                var da = -power / (denominator * denominator);
                var db = da * a * 2 * Math.Log(x[i]);
                jaa += da * da;
                jab += da * db;
                jbb += db * db;
                ga += da * residual;
                gb += db * residual;
            }
            var improved = false;
            while (lambda < 1e12)
            {
                var maa = jaa * (1 + lambda);
                var mbb = jbb * (1 + lambda);
                var determinant = maa * mbb - jab * jab;
                var stepA = (-ga * mbb + gb * jab) / determinant;
                var stepB = (-gb * maa + ga * jab) / determinant;
                var trialA = a + stepA;
                var trialB = b + stepB;
                var trialError = trialA > 0 && trialB > 0 ? SquaredError(x, y, trialA, trialB) : double.PositiveInfinity;
                if (trialError < error)
                {
                    var converged = Math.Abs(stepA) <= 1e-12 * (1 + Math.Abs(a)) && Math.Abs(stepB) <= 1e-12 * (1 + Math.Abs(b));
                    var reduction = error - trialError;
                    (a, b, error) = (trialA, trialB, trialError);
                    lambda = Math.Max(lambda / 10, 1e-12);
                    improved = true;
                    if (converged || reduction <= 1e-15 * error)
                    {
                        return (a, b);
                    }
                    break;
                }
                lambda *= 10;
            }
            if (!improved)
            {
                break;
            }
        }
        return (a, b);
    }

    private static double SquaredError(double[] x, double[] y, double a, double b)
    {
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            var residual = 1 / (1 + a * Math.Pow(x[i], 2 * b)) - y[i];
            sum += residual * residual;
        }
        return sum;
    }
}
