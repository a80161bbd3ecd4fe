namespace Distributed.Ml.Data;

/// <summary>
/// Input data is malformed or unsupported. The message says what is wrong in one line, without
/// the file name: the caller that opened the file adds it.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception with a one-line description of the problem.</summary>
    public DataFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a description and the underlying cause.</summary>
    public DataFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
