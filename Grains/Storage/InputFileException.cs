namespace Distributed.Grains.Storage;

/// <summary>A file the user named cannot be used; the message starts with the path and says why, in one line.</summary>
public sealed class InputFileException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public InputFileException(string path, string problem, Exception? innerException = null)
        : base(OneLine.Of($"{path}: {problem}"), innerException)
    {
        Path = path;
    }

    /// <summary>The offending file.</summary>
    public string Path { get; }
}
