namespace Distributed.Ml.Persistence;

/// <summary>A serialised model is corrupted, truncated, of another kind, or of an unsupported version.</summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the exception with a one-line description of the problem.</summary>
    public ModelFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a description and the underlying cause.</summary>
    public ModelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
