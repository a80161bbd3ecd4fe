namespace Distributed.Ml.Numerics;

/// <summary>
/// Deterministic pseudo-random generator (xoshiro256**, seeded through SplitMix64).
/// </summary>
/// <remarks>
/// Every random choice in the library draws from an <see cref="Rng"/> built from a user seed and
/// a path of indices (<see cref="Derive(ulong, ulong[])"/>), never from shared global state, so a
/// result depends only on the seed and on which tree / shard / restart it belongs to — not on
/// thread scheduling or on how many silos share the work. The sequence is fixed by this file and
/// does not depend on the .NET version, unlike <see cref="Random"/>.
/// </remarks>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    public Rng(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix(ref sm);
        _s1 = SplitMix(ref sm);
        _s2 = SplitMix(ref sm);
        _s3 = SplitMix(ref sm);
    }

    /// <summary>
    /// A generator for one independent stream: the seed mixed with each index in turn, e.g.
    /// <c>Derive(seed, StreamIds.Tree, treeIndex)</c>.
    /// </summary>
    public static Rng Derive(ulong seed, params ulong[] path)
    {
        var state = seed;
        var mixed = SplitMix(ref state);
        foreach (var index in path)
        {
            state = mixed ^ (index * 0xD1B54A32D192ED03UL);
            mixed = SplitMix(ref state);
        }
        return new Rng(mixed);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform float in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform integer in [0, exclusiveMax), unbiased (Lemire's method).</summary>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        var range = (ulong)exclusiveMax;
        var product = Math.BigMul(NextUInt64(), range, out var low);
        if (low < range)
        {
            var threshold = (0UL - range) % range;
            while (low < threshold)
            {
                product = Math.BigMul(NextUInt64(), range, out low);
            }
        }
        return (int)product;
    }

    /// <summary>Standard normal sample (Box–Muller; one of the pair is discarded to keep the stream stateless).</summary>
    public double NextGaussian()
    {
        double u1;
        do
        {
            u1 = NextDouble();
        } while (u1 <= double.Epsilon);
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0..n-1.</summary>
    public int[] Permutation(int n)
    {
        var result = new int[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = i;
        }
        Shuffle<int>(result);
        return result;
    }

    /// <summary>
    /// <paramref name="count"/> distinct indices from 0..n-1 in ascending order (Floyd's algorithm
    /// for small samples, a partial shuffle otherwise).
    /// </summary>
    public int[] SampleWithoutReplacement(int n, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, n);
        int[] result;
        if (count * 4L < n)
        {
            var chosen = new HashSet<int>(count);
            for (var j = n - count; j < n; j++)
            {
                var t = NextInt(j + 1);
                chosen.Add(chosen.Contains(t) ? j : t);
            }
            result = [.. chosen];
        }
        else
        {
            var all = Permutation(n);
            result = all[..count];
        }
        Array.Sort(result);
        return result;
    }

    /// <summary>
    /// <see cref="SampleWithoutReplacement"/> of <paramref name="count"/> of 0..n-1, or all of
    /// them, drawing nothing, when there are no more than <paramref name="count"/>.
    /// </summary>
    public int[] SampleUpTo(int n, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return n <= count ? [.. Enumerable.Range(0, n)] : SampleWithoutReplacement(n, count);
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
