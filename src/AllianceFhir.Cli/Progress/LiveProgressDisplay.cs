using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AllianceFhir.Cli.Progress;

/// <summary>A live Spectre.Console bar per job: description, bar, percentage, rate, refused count, elapsed time.</summary>
public sealed class LiveProgressDisplay(IAnsiConsole console) : ProgressDisplay
{
    private const string RefusedKey = "refused";

    public override async Task<T> RunAsync<T>(string name, string unit, Func<IProgressView, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return await console.Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new RateColumn(unit),
                new RefusedColumn(),
                new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(name), maxValue: 1);
                task.IsIndeterminate = true;
                var view = new View(context, task, name);
                var result = await work(view);
                if (task.IsIndeterminate)
                {
                    // Nothing was counted (an empty file): show it done rather than spinning.
                    task.IsIndeterminate = false;
                    task.Value = task.MaxValue;
                }

                task.StopTask();
                return result;
            });
    }

    private sealed class View(ProgressContext context, ProgressTask task, string name) : IProgressView
    {
        public void Report(long done, long? total, long refused, string? status = null)
        {
            task.State.Update<long>(RefusedKey, _ => refused);
            task.Description = Markup.Escape(status is null ? name : $"{name} ({status})");
            if (total is { } all)
            {
                task.IsIndeterminate = false;
                task.MaxValue = Math.Max(1, Math.Max(all, done));
            }

            task.Value = done;
            // Drawn now rather than at the next tick: a server's status may last less than one.
            context.Refresh();
        }
    }

    /// <summary>Rows (or lines) per second since the job started, which is what a clinic wants to know.</summary>
    private sealed class RateColumn(string unit) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var seconds = task.ElapsedTime?.TotalSeconds ?? 0;
            var rate = seconds > 0 ? task.Value / seconds : 0;
            return new Text(string.Create(CultureInfo.InvariantCulture, $"{rate:N0} {unit}/s"));
        }
    }

    private sealed class RefusedColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var refused = task.State.Get<long>(RefusedKey);
            var text = $"{refused.ToString("N0", CultureInfo.InvariantCulture)} refused";
            return new Text(text, refused > 0 ? new Style(Color.Red) : new Style(Color.Green));
        }
    }
}
