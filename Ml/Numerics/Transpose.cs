namespace Distributed.Ml.Numerics;

/// <summary>Whether a GEMM operand is used as stored or transposed.</summary>
public enum Transpose
{
    /// <summary>Use the operand as stored (row-major).</summary>
    No,
    /// <summary>Use the operand's transpose.</summary>
    Yes,
}
