using System.Reflection;
using System.Runtime.InteropServices;

namespace Distributed.Ml.Numerics;

/// <summary>
/// SGEMM from OpenBLAS (Debian <c>libopenblas0-pthread</c>), found at run time. When the library
/// is absent <see cref="IsAvailable"/> is false and callers fall back to the managed kernel.
/// </summary>
internal static partial class OpenBlas
{
    private const string LibraryName = "openblas";
    private const int CblasRowMajor = 101;
    private const int CblasNoTrans = 111;
    private const int CblasTrans = 112;

    private static readonly string[] s_candidates = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "openblas.dll"];
    private static readonly Lazy<bool> s_available = new(Probe);

    static OpenBlas()
    {
        NativeLibrary.SetDllImportResolver(typeof(OpenBlas).Assembly, Resolve);
    }

    /// <summary>True when OpenBLAS loaded and its SGEMM entry point exists.</summary>
    public static bool IsAvailable => s_available.Value;

    public static void Sgemm(Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        unsafe
        {
            fixed (float* pa = a)
            fixed (float* pb = b)
            fixed (float* pc = c)
            {
                cblas_sgemm(CblasRowMajor, transA == Transpose.Yes ? CblasTrans : CblasNoTrans,
                    transB == Transpose.Yes ? CblasTrans : CblasNoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            }
        }
    }

    [LibraryImport(LibraryName)]
    private static unsafe partial void cblas_sgemm(int order, int transA, int transB, int m, int n, int k,
        float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != LibraryName)
        {
            return 0;
        }
        foreach (var candidate in s_candidates)
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out var handle))
            {
                return handle;
            }
        }
        return 0;
    }

    private static bool Probe()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("DISTRIBUTED_BLAS"), "managed", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        foreach (var candidate in s_candidates)
        {
            if (NativeLibrary.TryLoad(candidate, typeof(OpenBlas).Assembly, null, out var handle))
            {
                return NativeLibrary.TryGetExport(handle, "cblas_sgemm", out _);
            }
        }
        return false;
    }
}
