using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AllianceFhir.Api.Tests.Durability;

/// <summary>
/// The real API in a child process of its own (not in the test's runtime, as WebApplicationFactory hosts it), so the
/// test can kill it with SIGKILL and start it again on the same database file.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 40;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;
    private bool _disposed;

    private ApiProcess(Process process, ConcurrentQueue<string> output, Uri baseAddress)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output);

    /// <summary>Starts the API on a free loopback port over the given SQLite file and waits until /healthz answers.</summary>
    public static async Task<ApiProcess> StartAsync(string databasePath, string workingDirectory, TimeSpan readyWithin)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ApiDll());
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString());
        // Development: the one environment that runs open without an authorization server (and answers any Host).
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ConnectionStrings__Fhir"] = $"Data Source={databasePath}";
        start.Environment["Storage__Provider"] = "Sqlite";
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        var output = new ConcurrentQueue<string>();
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the API process");
        void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            output.Enqueue(line);
            while (output.Count > KeptOutputLines && output.TryDequeue(out _))
            {
            }
        }

        // Both pipes are drained, or a chatty process would block on a full pipe.
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var api = new ApiProcess(process, output, baseAddress);

        using var probe = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < readyWithin)
        {
            if (process.HasExited)
            {
                var code = process.ExitCode;
                await api.DisposeAsync();
                throw new InvalidOperationException($"the API exited with {code} before it was ready:{Environment.NewLine}{api.RecentOutput}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri("/healthz", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return api;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        await api.DisposeAsync();
        throw new TimeoutException($"the API did not answer /healthz within {readyWithin}:{Environment.NewLine}{api.RecentOutput}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush, no disposal; what is not on disk (or in the OS) is lost.</summary>
    public async Task KillAsync()
    {
        if (_disposed)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _disposed = true;
        _process.Dispose();
    }

    /// <summary>
    /// The API assembly the test project was built against: copied next to the test assembly by the project reference,
    /// with its runtimeconfig and deps files, so `dotnet test` from a clean clone finds it without another build.
    /// </summary>
    private static string ApiDll()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "AllianceFhir.Api.dll");
        if (!File.Exists(dll) || !File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")))
        {
            throw new FileNotFoundException($"AllianceFhir.Api.dll and its runtimeconfig are expected beside the tests in {AppContext.BaseDirectory}", dll);
        }

        return dll;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
