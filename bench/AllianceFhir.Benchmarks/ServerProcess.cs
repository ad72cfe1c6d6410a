using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AllianceFhir.Benchmarks;

/// <summary>A server under test, in a process of its own so the load generator does not share its runtime.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    /// <summary>CPU time the server process has used so far (all threads), to report CPU cost per request.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<ServerProcess> StartAsync(string dll, string workingDirectory, string readinessPath, IEnumerable<string> extraArgs)
    {
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in extraArgs)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString());

        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // Development: without Auth:Authority only a Development server starts, and it runs open (no token, no rate limit),
        // which is what the benchmark measures; a Production start would refuse.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {dll}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{Path.GetFileNameWithoutExtension(dll)}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{dll} exited with {process.ExitCode} before it was ready");
            }

            try
            {
                using var response = await probe.GetAsync(readinessPath);
                if (response.IsSuccessStatusCode)
                {
                    return new ServerProcess(process, baseAddress);
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"{dll} did not answer {readinessPath} within 120 s");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
