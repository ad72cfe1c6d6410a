using System.Collections.Concurrent;
using System.Net;
using AllianceFhir.Api.Errors;
using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Core.Pipeline;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AllianceFhir.Api.Tests.Errors;

/// <summary>Issue 9: one failure deep in a recursive parser logged 4.5 MB of stack from a 300 KB request.</summary>
public sealed class UnhandledFailureLoggingTests : IDisposable
{
    private readonly FailingApplication _app = new();

    [Fact]
    public async Task A_deep_failure_logs_its_type_and_a_bounded_stack_and_no_request_data()
    {
        var client = _app.CreateClient();
        var encounter = new Encounter { Status = Encounter.EncounterStatus.Finished, Class = new Coding("http://example.org", "x"), Id = "secret-marker" };
        encounter.Identifier = [new Identifier("http://clinic.example.org/visit", "PHI-MARKER-1234")];

        using var response = await client.PostAsync("/fhir/Encounter", encounter);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.Exception, (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
        var logged = Assert.Single(_app.Logs.Messages, m => m.Contains("Unhandled", StringComparison.Ordinal));
        Assert.Contains(nameof(InsufficientExecutionStackException), logged, StringComparison.Ordinal);
        Assert.DoesNotContain("PHI-MARKER", logged, StringComparison.Ordinal);
        Assert.True(logged.Split('\n').Length <= BoundedStackTrace.MaxFrames + 2, $"{logged.Split('\n').Length} lines logged");
        using var alive = await client.GetAsync("/fhir/metadata");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    public void Dispose() => _app.Dispose();

    private sealed class FailingApplication : FhirApplication
    {
        public CapturingLoggerProvider Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(logging => logging.AddProvider(Logs));
            builder.ConfigureServices(services => services.AddSingleton<IResourceWriteHook, DeepFailureHook>());
        }
    }

    /// <summary>Fails 3,000 frames down, as a recursive parser does on a deep body.</summary>
    private sealed class DeepFailureHook : IResourceWriteHook
    {
        public string ResourceType => nameof(Encounter);

        public System.Threading.Tasks.Task OnWriteAsync(ResourceWriteContext context, CancellationToken cancellationToken)
        {
            Recurse(3_000);
            return System.Threading.Tasks.Task.CompletedTask;
        }

        private static int Recurse(int depth) =>
            depth == 0 ? throw new InsufficientExecutionStackException("deep") : Recurse(depth - 1) + 1;
    }

    public sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) =>
            categoryName == typeof(FhirExceptionHandler).FullName ? new Capturing(Messages) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
        }

        private sealed class Capturing(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception) + (exception is null ? string.Empty : exception.ToString()));
        }
    }
}
