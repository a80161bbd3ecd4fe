namespace Distributed.Bench.Load;

/// <summary>CPU seconds used over the measured run: by the server (null when its pid is not known) and by this load client.</summary>
internal sealed record CpuUse(double? ServerSeconds, double ClientSeconds)
{
    /// <summary>Reads both processes' CPU time so far; <see cref="Since"/> turns two readings into the use between them.</summary>
    public static CpuUse Now(int? serverPid) => new(serverPid is { } pid ? ProcessCpu.Seconds(pid) : null, ProcessCpu.Seconds(Environment.ProcessId));

    /// <summary>The use between <paramref name="start"/> and this reading.</summary>
    public CpuUse Since(CpuUse start) => new(ServerSeconds - start.ServerSeconds, ClientSeconds - start.ClientSeconds);
}
