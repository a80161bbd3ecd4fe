using System.Runtime.InteropServices;

namespace Distributed.Client;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM while a command runs jobs on grains: the first signal cancels
/// <see cref="Token"/> so the command stops its job and cleans up, then exits with
/// <see cref="Interrupted"/>; a second signal ends the process at once, as it would without this.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signal;

    public Interruption() => _registrations = [Register(PosixSignal.SIGINT), Register(PosixSignal.SIGTERM)];

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>The exception to end the command with once <see cref="Token"/> was cancelled.</summary>
    public Interrupted Outcome(string whatWasLeft) => (PosixSignal)_signal == PosixSignal.SIGINT
        ? new("SIGINT", ExitCodes.Interrupt, whatWasLeft)
        : new("SIGTERM", ExitCodes.Terminate, whatWasLeft);

    private PosixSignalRegistration Register(PosixSignal signal) => PosixSignalRegistration.Create(signal, context =>
    {
        if (Interlocked.CompareExchange(ref _signal, (int)context.Signal, 0) == 0)
        {
            context.Cancel = true;
            _source.Cancel();
        }
    });

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
        _source.Dispose();
    }
}

/// <summary>A command stopped by a signal: one line on standard error, the shell's exit code for the signal.</summary>
internal sealed class Interrupted(string signal, int exitCode, string whatWasLeft) : Exception($"interrupted by {signal}: {whatWasLeft}")
{
    public int ExitCode { get; } = exitCode;
}
