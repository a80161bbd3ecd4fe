using Distributed.Ml.Numerics;

namespace Distributed.Ml.Features;

/// <summary>A fitted transformation from one row space to another (images → features, features → reduced features).</summary>
public interface IFittedTransform
{
    /// <summary>Columns expected on input.</summary>
    int InputDimension { get; }

    /// <summary>Columns produced.</summary>
    int OutputDimension { get; }

    /// <summary>Transforms every row.</summary>
    Matrix Transform(Matrix rows);

    /// <summary>Serialises the fitted parameters.</summary>
    void Save(Stream stream);
}
