using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AllianceFhir.Api.Tests.Infrastructure;

/// <summary>
/// Fails any query EF reports as Skip/Take without OrderBy: a page without a total order returns rows twice or never.
/// The one exception is the search engine's driver probe, which only counts up to a bound, so its order cannot matter
/// (and ordering it would sort every match of a broad criterion, the cost the probe exists to avoid). EF has no
/// per-query switch for the warning, so the guard tells the probe by its tag in the expression being compiled.
/// </summary>
public sealed class UnorderedPageGuard : ILoggerProvider, ILogger
{
    /// <summary><c>ProbeTag</c> (internal to Storage).</summary>
    private const string ProbeTag = "search-driver-probe";

    // EF compiles a query synchronously on one thread: the last expression that started compiling here is the culprit.
    [ThreadStatic]
    private static string? _compiling;

    public ILogger CreateLogger(string categoryName) =>
        categoryName == DbLoggerCategory.Query.Name ? this : NullLogger.Instance;

    public bool IsEnabled(LogLevel logLevel) => true;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id == CoreEventId.QueryCompilationStarting.Id)
        {
            _compiling = formatter(state, exception);
        }
        else if (eventId.Id == CoreEventId.RowLimitingOperationWithoutOrderByWarning.Id
            && _compiling?.Contains(ProbeTag, StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException($"A query limits rows without a total order:\n{_compiling}");
        }
    }

    public void Dispose()
    {
    }
}
