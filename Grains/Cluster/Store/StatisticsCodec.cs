using Distributed.Ml.Clustering;

namespace Distributed.Grains.Cluster.Store;

/// <summary>
/// Binary files of partial sufficient statistics, exact to the bit (doubles as written), so the
/// coordinator's reduction gives the same sums whichever silo computed a shard.
/// </summary>
public static class StatisticsCodec
{
    private const int KMeansTag = 0x4B4D5331; // "KMS1"
    private const int MixtureTag = 0x474D5331; // "GMS1"

    /// <summary>An answer to a query of <paramref name="kind"/>, encoded.</summary>
    public static byte[] Encode(ShardAnswer answer, ShardQueryKind kind)
    {
        ArgumentNullException.ThrowIfNull(answer);
        using var stream = new MemoryStream();
        if (kind is ShardQueryKind.KMeans or ShardQueryKind.KMeansInertia)
        {
            Write(stream, answer.KMeans);
        }
        else
        {
            Write(stream, answer.Mixture);
        }
        return stream.ToArray();
    }

    /// <summary>An answer to a query of <paramref name="kind"/>, as <see cref="Encode"/> wrote it.</summary>
    public static ShardAnswer Decode(byte[] encoded, ShardQueryKind kind) =>
        kind is ShardQueryKind.KMeans or ShardQueryKind.KMeansInertia
            ? ShardAnswer.Of(ReadKMeans(new MemoryStream(encoded)))
            : ShardAnswer.Of(ReadMixture(new MemoryStream(encoded)));

    /// <summary>Writes k-means statistics.</summary>
    public static void Write(Stream stream, KMeansStatistics statistics)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(KMeansTag);
        writer.Write(statistics.Clusters);
        writer.Write(statistics.Dimension);
        writer.Write(statistics.Inertia);
        WriteArray(writer, statistics.Sums);
        foreach (var count in statistics.Counts)
        {
            writer.Write(count);
        }
    }

    /// <summary>Reads k-means statistics written by <see cref="Write(Stream, KMeansStatistics)"/>.</summary>
    public static KMeansStatistics ReadKMeans(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        Expect(reader, KMeansTag, "k-means statistics");
        var statistics = new KMeansStatistics(reader.ReadInt32(), reader.ReadInt32()) { Inertia = reader.ReadDouble() };
        ReadArray(reader, statistics.Sums);
        for (var c = 0; c < statistics.Clusters; c++)
        {
            statistics.Counts[c] = reader.ReadInt64();
        }
        return statistics;
    }

    /// <summary>Writes Gaussian-mixture statistics.</summary>
    public static void Write(Stream stream, GaussianMixtureStatistics statistics)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(MixtureTag);
        writer.Write(statistics.Clusters);
        writer.Write(statistics.Dimension);
        writer.Write((int)statistics.CovarianceType);
        writer.Write(statistics.LogLikelihood);
        writer.Write(statistics.Rows);
        WriteArray(writer, statistics.Responsibilities);
        WriteArray(writer, statistics.FirstMoments);
        WriteArray(writer, statistics.SecondMoments);
    }

    /// <summary>Reads Gaussian-mixture statistics written by <see cref="Write(Stream, GaussianMixtureStatistics)"/>.</summary>
    public static GaussianMixtureStatistics ReadMixture(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        Expect(reader, MixtureTag, "mixture statistics");
        var statistics = new GaussianMixtureStatistics(reader.ReadInt32(), reader.ReadInt32(), (CovarianceType)reader.ReadInt32())
        {
            LogLikelihood = reader.ReadDouble(),
            Rows = reader.ReadInt64(),
        };
        ReadArray(reader, statistics.Responsibilities);
        ReadArray(reader, statistics.FirstMoments);
        ReadArray(reader, statistics.SecondMoments);
        return statistics;
    }

    private static void Expect(BinaryReader reader, int tag, string what)
    {
        if (reader.ReadInt32() != tag)
        {
            throw new InvalidDataException($"not a {what} file");
        }
    }

    private static void WriteArray(BinaryWriter writer, double[] values)
    {
        foreach (var value in values)
        {
            writer.Write(value);
        }
    }

    private static void ReadArray(BinaryReader reader, double[] into)
    {
        for (var i = 0; i < into.Length; i++)
        {
            into[i] = reader.ReadDouble();
        }
    }
}
