namespace Distributed.Ml.Data;

/// <summary>Products of sizes read from a file: an overflow is the file's fault, reported like any other bad header.</summary>
internal static class ShapeArithmetic
{
    /// <exception cref="DataFormatException">The product does not fit in 64 bits.</exception>
    public static long Multiply(long a, long b)
    {
        try
        {
            return checked(a * b);
        }
        catch (OverflowException)
        {
            throw new DataFormatException("the shape's size does not fit in 64 bits");
        }
    }
}
