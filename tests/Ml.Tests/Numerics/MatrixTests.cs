using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Numerics;

public class MatrixTests
{
    [Fact]
    public void VisitsItsRowsInBlocksOverItsOwnBuffer()
    {
        var matrix = new Matrix(7, 2, [.. Enumerable.Range(0, 14).Select(v => (float)v)]);
        var visits = new List<(int First, int Count, float[] Values)>();

        matrix.ForEachBlock(3, (rows, first, count) =>
        {
            // A span over the matrix's own buffer, not a copy.
            Assert.True(System.Runtime.CompilerServices.Unsafe.AreSame(
                ref System.Runtime.InteropServices.MemoryMarshal.GetReference(rows), ref matrix.Data[first * 2]));
            visits.Add((first, count, rows.ToArray()));
        });

        Assert.Equal([(0, 3), (3, 3), (6, 1)], visits.Select(v => (v.First, v.Count)));
        Assert.Equal(matrix.Data, visits.SelectMany(v => v.Values));
        Assert.Same(matrix, matrix.ToMatrix());
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.ForEachBlock(0, (_, _, _) => { }));
    }
}
