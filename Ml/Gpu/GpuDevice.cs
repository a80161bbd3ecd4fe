using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Distributed.Ml.Gpu;

/// <summary>
/// One ILGPU accelerator for the device kernels: a CUDA GPU (<see cref="TryOpenCuda"/>), or ILGPU's
/// CPU accelerator (<see cref="OpenCpuAccelerator"/>), which runs the same kernels without a GPU so
/// that tests and CI exercise them.
/// </summary>
/// <remarks>
/// ILGPU compiles the kernels at run time: for CUDA to PTX, which the CUDA driver (<c>libcuda.so</c>)
/// turns into machine code, so no CUDA toolkit is needed. Work on one device is serialised: a fit
/// holds it from start to end, and an encoding waits for it.
/// </remarks>
public sealed class GpuDevice : IDisposable
{
    /// <summary>
    /// Threads per group of the CPU accelerator: the SGEMM kernel's group (16 × 16). ILGPU runs each
    /// thread of a group on its own OS thread; one multiprocessor keeps it to one group at a time.
    /// </summary>
    private const int CpuGroupThreads = DeviceSgemm.GroupThreads;

    /// <summary>Warp width of the CPU accelerator: NVIDIA's, so the group is 8 warps as on a GPU.</summary>
    private const int CpuWarpThreads = 32;

    /// <summary>The library name ILGPU imports the CUDA driver API under on Linux.</summary>
    private const string CudaImportName = "cuda";

    /// <summary>The CUDA driver's soname on Linux.</summary>
    private const string CudaSoname = "libcuda.so.1";

    private static readonly Lock s_resolverGate = new();
    private static bool s_resolverSet;
    private static bool s_resolverOurs;

    private readonly Context _context;
    private readonly Lock _gate = new();
    private DeviceKernels? _kernels;

    private GpuDevice(Context context, Accelerator accelerator, bool isCuda)
    {
        _context = context;
        Accelerator = accelerator;
        IsCuda = isCuda;
    }

    /// <summary>The device's name as its driver gives it (e.g. <c>NVIDIA H100 80GB HBM3</c>, or <c>CPUAccelerator</c>).</summary>
    public string Name => Accelerator.Name;

    /// <summary>Whether this is a CUDA GPU (otherwise ILGPU's CPU accelerator).</summary>
    public bool IsCuda { get; }

    internal Accelerator Accelerator { get; }

    /// <summary>The kernels, compiled for this device on first use.</summary>
    internal DeviceKernels Kernels => _kernels ??= new DeviceKernels(Accelerator);

    /// <summary>
    /// Opens the first CUDA device ILGPU supports and compiles the kernels for it, so an unusable
    /// device is found now rather than in the middle of a job. Null when there is none;
    /// <paramref name="why"/> then says why (no driver, no device, or the error).
    /// </summary>
    public static GpuDevice? TryOpenCuda(out string why)
    {
        const string NoDevice = "no CUDA device found; ILGPU needs the NVIDIA driver's libcuda.so and a supported GPU";
        if (ResolveTheDriverBySoname() && !DriverLoads())
        {
            // No driver, so ILGPU would list no device: answered without creating its context, whose
            // first use compiles several hundred of ILGPU's methods (a silo's start on a machine
            // without a GPU, such as the Client's embedded one, paid for that).
            why = NoDevice;
            return null;
        }
        Context? context = null;
        try
        {
            // Only CUDA devices: without the driver's libcuda.so ILGPU lists none instead of failing.
            context = Context.Create(builder => builder.Cuda());
            if (context.GetCudaDevices().Count == 0)
            {
                why = NoDevice;
                context.Dispose();
                return null;
            }
            var device = new GpuDevice(context, context.CreateCudaAccelerator(0), isCuda: true);
            using (device._gate.EnterScope())
            {
                device.Accelerator.Bind();
                _ = device.Kernels;
            }
            why = device.Name;
            return device;
        }
        catch (Exception e) when (e is CudaException or InvalidOperationException or NotSupportedException or DllNotFoundException or TypeInitializationException)
        {
            // A driver that loads but cannot run our kernels (too old for the PTX, a broken install).
            context?.Dispose();
            why = $"the CUDA device could not be used: {e.Message}";
            return null;
        }
    }

    /// <summary>
    /// ILGPU imports the driver as <c>cuda</c>, which .NET looks for as <c>libcuda.so</c>: the name of
    /// the development symlink, which a container given a GPU by the NVIDIA runtime need not have.
    /// The driver's soname, <c>libcuda.so.1</c>, is always there with it, so it is tried first.
    /// </summary>
    /// <returns>Whether this resolver is the one ILGPU uses (not where the host set its own, or off Linux).</returns>
    private static bool ResolveTheDriverBySoname()
    {
        lock (s_resolverGate)
        {
            if (!s_resolverSet && OperatingSystem.IsLinux())
            {
                s_resolverSet = true;
                try
                {
                    NativeLibrary.SetDllImportResolver(typeof(Context).Assembly, (name, _, _) =>
                        name == CudaImportName && NativeLibrary.TryLoad(CudaSoname, out var driver) ? driver : IntPtr.Zero);
                    s_resolverOurs = true;
                }
                catch (InvalidOperationException)
                {
                    // The host set its own resolver for ILGPU: it decides where the driver is.
                }
            }
            return s_resolverOurs;
        }
    }

    /// <summary>Whether the driver loads by either name ILGPU's import can reach through <see cref="ResolveTheDriverBySoname"/>.</summary>
    private static bool DriverLoads()
    {
        foreach (var name in (string[])[CudaSoname, "lib" + CudaImportName + ".so"])
        {
            if (NativeLibrary.TryLoad(name, out var driver))
            {
                NativeLibrary.Free(driver);
                return true;
            }
        }
        return false;
    }

    /// <summary>ILGPU's CPU accelerator with groups as large as the SGEMM kernel's: slow, for tests.</summary>
    public static GpuDevice OpenCpuAccelerator()
    {
        var cpu = new CPUDevice(CpuWarpThreads, CpuGroupThreads / CpuWarpThreads, numMultiprocessors: 1);
        var context = Context.Create(builder => builder.CPU(cpu));
        return new GpuDevice(context, context.CreateCPUAccelerator(0), isCuda: false);
    }

    /// <summary>
    /// Takes the device for one operation: serialises users, and makes the device current on this
    /// thread (a CUDA context is per thread; grain work moves between thread-pool threads).
    /// </summary>
    internal Lock.Scope Use()
    {
        var scope = _gate.EnterScope();
        Accelerator.Bind();
        return scope;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
    }
}
