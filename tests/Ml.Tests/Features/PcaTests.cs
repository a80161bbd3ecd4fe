using Distributed.Ml.Features;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Features;

public class PcaTests
{
    [Fact]
    public void FindsTheAxisOfPointsOnALine()
    {
        // Points on y = x plus an orthogonal wobble uncorrelated with the position along the line:
        // the first axis is exactly (1, 1)/√2.
        var data = new Matrix(4, 2, [0.01f, -0.01f, 0.99f, 1.01f, 1.99f, 2.01f, 3.01f, 2.99f]);
        var model = Pca.Fit(data, new PcaOptions { Components = 1 });
        Assert.Equal(Math.Sqrt(0.5), model.Components[0], 5);
        Assert.Equal(Math.Sqrt(0.5), model.Components[1], 5);
        Assert.True(model.ExplainedVarianceRatio[0] > 0.999);
        var projected = model.Transform(data);
        Assert.Equal(-1.5 * Math.Sqrt(2), projected.Data[0], 4);
    }

    [Fact]
    public void AgreesWithScikitLearn()
    {
        var x = TestData.ReferenceX();
        var model = Pca.Fit(x, new PcaOptions { Components = 2 });
        var variance = TestData.Reference.GetProperty("pca_explained_variance").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var components = TestData.Reference.GetProperty("pca_components").EnumerateArray()
            .SelectMany(r => r.EnumerateArray().Select(v => v.GetDouble())).ToArray();
        for (var i = 0; i < variance.Length; i++)
        {
            Assert.Equal(variance[i], model.ExplainedVariance[i], 3);
        }
        // An axis has no intrinsic sign (scikit-learn's flip rule differs between versions): compare up to sign.
        var d = x.Cols;
        for (var c = 0; c < variance.Length; c++)
        {
            var sign = Math.Sign(components[c * d]) == Math.Sign(model.Components[c * d]) ? 1 : -1;
            for (var j = 0; j < d; j++)
            {
                Assert.Equal(components[c * d + j], sign * model.Components[c * d + j], 3);
            }
        }
    }

    [Fact]
    public void SaveAndLoadGiveTheSameTransform()
    {
        var (data, _) = TestData.Blobs(30, 3, 6, seed: 5);
        var model = Pca.Fit(data, new PcaOptions { Components = 3 });
        var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = PcaModel.Load(stream);
        Assert.Equal(model.Transform(data).Data, loaded.Transform(data).Data);
    }

    [Fact]
    public void RejectsMoreComponentsThanFeatures() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Pca.Fit(new Matrix(5, 2), new PcaOptions { Components = 3 }));
}
