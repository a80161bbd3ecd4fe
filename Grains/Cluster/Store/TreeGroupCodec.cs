using Distributed.Ml.Forest;

namespace Distributed.Grains.Cluster.Store;

/// <summary>A grown <see cref="TreeGroup"/> on disk: its trees in the forest format, then each tree's importances.</summary>
public static class TreeGroupCodec
{
    /// <summary>Writes the group; <paramref name="classes"/> and <paramref name="featureCount"/> are the training set's.</summary>
    public static void Write(Stream stream, TreeGroup group, int[] classes, int featureCount)
    {
        // Length-prefixed, so the forest reader never reads into the importances that follow.
        using var trees = new MemoryStream();
        new RandomForestModel(classes, featureCount, [.. group.Trees], new double[featureCount], double.NaN).Save(trees);
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(checked((int)trees.Length));
        writer.Write(trees.GetBuffer(), 0, (int)trees.Length);
        writer.Write(group.FirstTree);
        foreach (var importances in group.Importances)
        {
            foreach (var value in importances)
            {
                writer.Write(value);
            }
        }
    }

    /// <summary>Reads a group written by <see cref="Write"/>, with the classes of its training set.</summary>
    public static (TreeGroup Group, int[] Classes, int FeatureCount) Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        var length = reader.ReadInt32();
        using var trees = new MemoryStream(reader.ReadBytes(length));
        var forest = RandomForestModel.Load(trees);
        var first = reader.ReadInt32();
        var importances = new List<double[]>(forest.Trees.Length);
        for (var t = 0; t < forest.Trees.Length; t++)
        {
            var values = new double[forest.FeatureCount];
            for (var f = 0; f < values.Length; f++)
            {
                values[f] = reader.ReadDouble();
            }
            importances.Add(values);
        }
        return (new TreeGroup(first, forest.Trees, importances), forest.Classes, forest.FeatureCount);
    }
}
