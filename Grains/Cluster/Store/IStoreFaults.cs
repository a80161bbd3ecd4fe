namespace Distributed.Grains.Cluster.Store;

/// <summary>
/// A seam where store writes fail as a full disk or a failing device would make them fail: for
/// fault-injection tests of the job's pause and retry, without filling a real disk.
/// </summary>
public interface IStoreFaults
{
    /// <summary>Called before each write to the store.</summary>
    /// <exception cref="IOException">The write is to fail.</exception>
    void BeforeWrite(string path);
}
