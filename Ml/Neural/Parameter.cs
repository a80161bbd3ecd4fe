namespace Distributed.Ml.Neural;

/// <summary>A trainable tensor and the gradient of the loss with respect to it, set by the last backward pass.</summary>
public sealed class Parameter
{
    /// <summary>Creates a zero-initialised parameter of the given length.</summary>
    public Parameter(string name, int length)
    {
        Name = name;
        Value = new float[length];
        Gradient = new float[length];
    }

    /// <summary>Name for diagnostics (e.g. <c>weight</c>, <c>bias</c>).</summary>
    public string Name { get; }

    /// <summary>Current values.</summary>
    public float[] Value { get; }

    /// <summary>Gradient from the most recent backward pass.</summary>
    public float[] Gradient { get; }
}
