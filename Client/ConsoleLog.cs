using Microsoft.Extensions.Logging;

namespace Distributed.Client;

/// <summary>
/// The command line's logger: the library's warnings and notes (recovered leftovers of an
/// interrupted write, a version kept because a reader holds it) as one line each, no categories.
/// </summary>
internal sealed class ConsoleLog(TextWriter writer) : ILogger
{
    public static ILogger Create(TextWriter writer) => new ConsoleLog(writer);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
        {
            writer.WriteLine($"{(logLevel >= LogLevel.Warning ? "warning" : "note")}: {formatter(state, exception)}");
        }
    }
}
