using Distributed.Ml.Pipeline;
using Spectre.Console;

namespace Distributed.Client;

/// <summary>Shows one progress bar per pipeline stage on standard error (never on standard output, which carries results).</summary>
internal sealed class ProgressReporter : IPipelineObserver
{
    private readonly ProgressContext _context;
    private readonly Dictionary<string, ProgressTask> _tasks = [];

    private ProgressReporter(ProgressContext context) => _context = context;

    private sealed class PlainStageLog(TextWriter error) : IPipelineObserver
    {
        public void StageStarted(string stage)
        {
        }

        public void StageCompleted(string stage, TimeSpan elapsed) =>
            error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{stage.Replace('_', ' ')}: {elapsed.TotalSeconds:0.0} s"));

        public void StageProgress(string stage, int done, int total, string detail) =>
            error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{stage.Replace('_', ' ')}: {done}/{total} {detail}"));
    }

    public void StageStarted(string stage)
    {
        var task = _context.AddTask(stage.Replace('_', ' '), maxValue: 1);
        task.IsIndeterminate = true;
        _tasks[stage] = task;
    }

    public void StageCompleted(string stage, TimeSpan elapsed)
    {
        if (_tasks.TryGetValue(stage, out var task))
        {
            task.Description = $"{stage.Replace('_', ' ')} [grey]{elapsed.TotalSeconds:0.0} s[/]";
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }

    public void StageProgress(string stage, int done, int total, string detail)
    {
        if (_tasks.TryGetValue(stage, out var task))
        {
            task.IsIndeterminate = false;
            task.MaxValue = total;
            task.Value = done;
            task.Description = $"{stage.Replace('_', ' ')} [grey]{Markup.Escape(detail)}[/]";
        }
    }

    /// <summary>Runs <paramref name="work"/> with progress bars, or plainly when <paramref name="quiet"/>.</summary>
    public static T Run<T>(bool quiet, Func<IPipelineObserver?, T> work)
    {
        if (quiet)
        {
            return work(null);
        }
        if (Console.IsErrorRedirected)
        {
            // No terminal to redraw bars on (CI, a log file): one line per finished stage instead.
            return work(new PlainStageLog(Console.Error));
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(context => work(new ProgressReporter(context)));
    }
}
