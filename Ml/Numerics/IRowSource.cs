namespace Distributed.Ml.Numerics;

/// <summary>Receives rows <paramref name="first"/> .. <paramref name="first"/> + <paramref name="count"/> − 1 of a source, row-major in <paramref name="rows"/>.</summary>
public delegate void RowBlockVisitor(ReadOnlySpan<float> rows, int first, int count);

/// <summary>
/// Rows an estimator reads in order, a block at a time, as many times as it needs: a
/// <see cref="Matrix"/> in memory, or rows kept elsewhere (a job's image shards) that need not be
/// held all at once. An estimator that only passes over its rows (PCA's means and covariance) reads
/// them through this; one that visits rows at random (a network's batches) asks for
/// <see cref="ToMatrix"/>.
/// </summary>
public interface IRowSource
{
    /// <summary>Number of rows.</summary>
    int Rows { get; }

    /// <summary>Values per row.</summary>
    int Cols { get; }

    /// <summary>
    /// Visits every row in order, in consecutive blocks of <paramref name="blockRows"/> rows (the
    /// last block may be shorter). The span is valid only during the call it is passed to.
    /// </summary>
    void ForEachBlock(int blockRows, RowBlockVisitor visit);

    /// <summary>Every row at once, in order.</summary>
    Matrix ToMatrix();
}
