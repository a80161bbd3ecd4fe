namespace Distributed.Ml.Gpu;

/// <summary>
/// The scalars of one device SGEMM launch (see <see cref="DeviceSgemm"/>): one struct argument
/// instead of ten, which ILGPU passes to the kernel by value.
/// </summary>
internal readonly record struct SgemmShape(int M, int N, int K, int Lda, int Ldb, int Ldc, int TransA, int TransB, float Alpha, float Beta);
