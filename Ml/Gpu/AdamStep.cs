namespace Distributed.Ml.Gpu;

/// <summary>
/// The scalars of one device Adam step (see <see cref="DeviceAdam"/>): the decays, their
/// complements as the CPU optimiser computes them in float, and the bias-corrected step size and ε.
/// </summary>
internal readonly record struct AdamStep(float Beta1, float Beta2, float OneMinusBeta1, float OneMinusBeta2, float StepSize, float Epsilon);
