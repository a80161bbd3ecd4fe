using ILGPU;

namespace Distributed.Ml.Gpu;

/// <summary>Length checks of device buffers, made on the host before a launch: a kernel cannot report an overrun.</summary>
internal static class DeviceChecks
{
    /// <exception cref="ArgumentException"><paramref name="view"/> holds fewer than <paramref name="needed"/> values.</exception>
    public static void Length<T>(ArrayView<T> view, long needed, string name)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(needed, name);
        if (view.Length < needed)
        {
            throw new ArgumentException($"{name} holds {view.Length} values, {needed} needed.", name);
        }
    }
}
