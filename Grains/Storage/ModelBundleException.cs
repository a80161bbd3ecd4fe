namespace Distributed.Grains.Storage;

/// <summary>A model bundle is missing, foreign, of an unsupported version, or corrupted.</summary>
public sealed class ModelBundleException : Exception
{
    /// <summary>Creates the exception for the bundle at <paramref name="path"/>.</summary>
    public ModelBundleException(string path, string problem, Exception? innerException = null)
        : base(OneLine.Of($"{path}: {problem}"), innerException)
    {
    }
}
