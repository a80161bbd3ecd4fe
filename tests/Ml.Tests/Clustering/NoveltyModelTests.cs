using Distributed.Ml.Clustering;
using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Tests.Clustering;

public class NoveltyModelTests
{
    // Cluster 0 on the x axis at distances 1..4 from its centroid (0, 0) ... see Rows().
    private static (Matrix Rows, int[] Assignments) Rows()
    {
        float[] values =
        [
            -1, 0, 1, 0, -3, 0, 3, 0, // cluster 0: centroid (0, 0), distances 1, 1, 3, 3
            10, 10, 10, 12, 10, 8, 0, 0, // cluster 1: (10, 10), (10, 12), (10, 8); last row is noise
        ];
        return (new Matrix(8, 2, values), [0, 0, 0, 0, 1, 1, 1, -1]);
    }

    [Fact]
    public void RadiusIsTheQuantileOfMemberDistances()
    {
        var (rows, assignments) = Rows();
        var median = NoveltyModel.Fit(rows, assignments, clusters: 2, quantile: 0.5);
        Assert.Equal([0f, 0f, 10f, 10f], median.Centroids);
        Assert.Equal([1f, 2f], median.Radii);
        var full = NoveltyModel.Fit(rows, assignments, clusters: 2, quantile: 1.0);
        Assert.Equal([3f, 2f], full.Radii);
    }

    [Fact]
    public void OnlyRowsOutsideEveryRadiusAreNovel()
    {
        var (rows, assignments) = Rows();
        var model = NoveltyModel.Fit(rows, assignments, clusters: 2, quantile: 1.0);
        var probes = new Matrix(3, 2, [2.5f, 0, 10, 11.5f, 5, 5]);
        Assert.Equal([false, false, true], model.IsNovel(probes));
    }

    [Fact]
    public void SaveAndLoadRoundTripAndForeignDataIsRejected()
    {
        var (rows, assignments) = Rows();
        var model = NoveltyModel.Fit(rows, assignments, clusters: 3);
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = NoveltyModel.Load(stream);
        Assert.Equal(model.Centroids, loaded.Centroids);
        Assert.Equal(model.Radii, loaded.Radii);
        Assert.Equal(0f, loaded.Radii[2]);
        Assert.Throws<ModelFormatException>(() => NoveltyModel.Load(new MemoryStream([1, 2, 3, 4, 5])));
    }
}
