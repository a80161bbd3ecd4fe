namespace Distributed.Ml.Data;

/// <summary>The numpy element types this project reads and writes (all little-endian).</summary>
public enum NpyDType
{
    /// <summary><c>|u1</c>: unsigned byte.</summary>
    UInt8,
    /// <summary><c>|i1</c>: signed byte.</summary>
    Int8,
    /// <summary><c>&lt;u2</c>.</summary>
    UInt16,
    /// <summary><c>&lt;i2</c>.</summary>
    Int16,
    /// <summary><c>&lt;i4</c>.</summary>
    Int32,
    /// <summary><c>&lt;i8</c>.</summary>
    Int64,
    /// <summary><c>&lt;f4</c>.</summary>
    Float32,
    /// <summary><c>&lt;f8</c>.</summary>
    Float64,
}

/// <summary>Size and numpy spelling of each <see cref="NpyDType"/>.</summary>
public static class NpyDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int Size(this NpyDType type) => type switch
    {
        NpyDType.UInt8 or NpyDType.Int8 => 1,
        NpyDType.UInt16 or NpyDType.Int16 => 2,
        NpyDType.Int32 or NpyDType.Float32 => 4,
        NpyDType.Int64 or NpyDType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The <c>descr</c> string numpy writes for the type.</summary>
    public static string Descr(this NpyDType type) => type switch
    {
        NpyDType.UInt8 => "|u1",
        NpyDType.Int8 => "|i1",
        NpyDType.UInt16 => "<u2",
        NpyDType.Int16 => "<i2",
        NpyDType.Int32 => "<i4",
        NpyDType.Int64 => "<i8",
        NpyDType.Float32 => "<f4",
        NpyDType.Float64 => "<f8",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>True for the floating-point types.</summary>
    public static bool IsFloatingPoint(this NpyDType type) => type is NpyDType.Float32 or NpyDType.Float64;

    /// <summary>Parses a numpy <c>descr</c>; null when the type is not supported.</summary>
    public static NpyDType? Parse(string descr) => descr switch
    {
        "|u1" or "<u1" or "u1" or "=u1" => NpyDType.UInt8,
        "|i1" or "<i1" or "i1" or "=i1" => NpyDType.Int8,
        "<u2" => NpyDType.UInt16,
        "<i2" => NpyDType.Int16,
        "<i4" => NpyDType.Int32,
        "<i8" => NpyDType.Int64,
        "<f4" => NpyDType.Float32,
        "<f8" => NpyDType.Float64,
        _ => null,
    };
}
