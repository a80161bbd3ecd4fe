namespace Distributed.Ml;

/// <summary>An option value the user chose is invalid or names an algorithm this build does not have.</summary>
public sealed class OptionsException : Exception
{
    /// <summary>Creates the exception with a one-line description.</summary>
    public OptionsException(string message)
        : base(message)
    {
    }
}
