using AllianceFhir.Benchmarks;

// Usage:
//   dotnet run -c Release --project bench/AllianceFhir.Benchmarks -- [--seconds 10] [--concurrency 8] [--scenarios create,read,create-token,read-token,submit,submit-rate,baseline,commit,commit-audit] [--api-dir DIR] [--submit-rate R] [--commits N]
//   (internal) ... serve-baseline --urls http://127.0.0.1:PORT --db PATH
if (args.Length > 0 && args[0] == "serve-baseline")
{
    await BaselineServer.RunAsync(args[1..]);
    return 0;
}

var options = BenchmarkOptions.Parse(args);
return await BenchmarkRunner.RunAsync(options);
