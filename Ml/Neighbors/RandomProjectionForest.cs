using System.Numerics.Tensors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Neighbors;

/// <summary>
/// Random projection trees (as pynndescent's Euclidean trees): each node splits its points by the
/// hyperplane bisecting two of them chosen at random, until at most a leaf's worth remain. Points
/// sharing a leaf are likely near each other, which makes the leaves a cheap first guess at the
/// neighbour lists.
/// </summary>
internal static class RandomProjectionForest
{
    /// <summary>Margins this close to the hyperplane go to a random side (pynndescent's EPS).</summary>
    private const float Epsilon = 1e-8f;

    /// <summary>Sub-stream of <see cref="RandomStreams.Neighbors"/> for tree building (NN-descent uses 1 and 2).</summary>
    private const ulong TreePurpose = 0;

    /// <summary>Deeper nodes become leaves whatever their size (guards against heavy duplication).</summary>
    private const int MaxDepth = 100;

    /// <summary>
    /// Builds the trees (in parallel, each from its own derived stream) and returns their leaves:
    /// per tree, a permutation of the points and the (start, end) ranges of its leaves in it.
    /// </summary>
    public static Tree[] Build(Matrix data, int trees, int leafSize, ulong seed)
    {
        var result = new Tree[trees];
        Parallel.For(0, trees, t => result[t] = BuildTree(data, leafSize, Rng.Derive(seed, RandomStreams.Neighbors, TreePurpose, (ulong)t)));
        return result;
    }

    private static Tree BuildTree(Matrix data, int leafSize, Rng rng)
    {
        var n = data.Rows;
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }
        var leaves = new List<(int Start, int End)>();
        var sides = new byte[n];
        var scratch = new int[n];
        var normal = new float[data.Cols];
        var stack = new Stack<(int Start, int End, int Depth)>();
        stack.Push((0, n, 0));
        while (stack.Count > 0)
        {
            var (start, end, depth) = stack.Pop();
            if (end - start <= leafSize || depth >= MaxDepth)
            {
                leaves.Add((start, end));
                continue;
            }
            var split = Split(data, order.AsSpan(start, end - start), sides, scratch, normal, rng);
            stack.Push((start + split, end, depth + 1));
            stack.Push((start, start + split, depth + 1));
        }
        return new Tree(order, [.. leaves]);
    }

    /// <summary>Partitions the points (stably) into the two sides of a random bisecting hyperplane; returns the left count.</summary>
    private static int Split(Matrix data, Span<int> points, byte[] sides, int[] scratch, float[] normal, Rng rng)
    {
        var count = points.Length;
        var first = rng.NextInt(count);
        var second = rng.NextInt(count - 1);
        second += second >= first ? 1 : 0;
        var a = data.Row(points[first]);
        var b = data.Row(points[second]);
        var offset = 0f;
        for (var j = 0; j < normal.Length; j++)
        {
            normal[j] = a[j] - b[j];
            offset -= normal[j] * (a[j] + b[j]) / 2f;
        }
        var left = 0;
        for (var i = 0; i < count; i++)
        {
            var margin = offset + TensorPrimitives.Dot(normal, data.Row(points[i]));
            var side = margin > Epsilon ? (byte)0 : margin < -Epsilon ? (byte)1 : (byte)rng.NextInt(2);
            sides[i] = side;
            left += side == 0 ? 1 : 0;
        }
        // Duplicates (or two coincident picks) can leave one side empty: split at random instead.
        while (left == 0 || left == count)
        {
            left = 0;
            for (var i = 0; i < count; i++)
            {
                sides[i] = (byte)rng.NextInt(2);
                left += sides[i] == 0 ? 1 : 0;
            }
        }
        var l = 0;
        var r = left;
        for (var i = 0; i < count; i++)
        {
            scratch[sides[i] == 0 ? l++ : r++] = points[i];
        }
        scratch.AsSpan(0, count).CopyTo(points);
        return left;
    }

    /// <summary>One tree's leaves: ranges of <see cref="Order"/>.</summary>
    internal sealed record Tree(int[] Order, (int Start, int End)[] Leaves);
}
