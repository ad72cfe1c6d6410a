using AllianceFhir.Benchmarks;

// Usage:
//   dotnet run -c Release --project bench/AllianceFhir.Benchmarks -- [--seconds 10] [--concurrency 8] [--scenarios create,read,create-token,read-token,read-token-production,submit,submit-rate,baseline,commit,commit-audit,audit-log,shapes] [--shapes a,b] [--seed N] (scenario deferred: --shapes sorted,blob1024,none1024,...) [--api-dir DIR] [--submit-rate R] [--commits N]
//   dotnet run -c Release --project bench/AllianceFhir.Benchmarks -- profile-submit [--submits 2000] [--warmup 3000] [--rounds 2]
//   dotnet run -c Release --project bench/AllianceFhir.Benchmarks -- profile-read [--reads 5000] [--warmup 10000] [--rounds 2] [--token] [--allocations]
//   dotnet run -c Release --project bench/AllianceFhir.Benchmarks -- read-ratio [--rounds 12] [--slice 2] [--warmup 10] [--concurrency 8] [--no-token] [--production] [--api-dir DIR] [--api-dir-b DIR]
//   dotnet run -c Release --project bench/AllianceFhir.Benchmarks -- audit-targets [--events 100000] [--warmup 20000] [--patients 1000] [--merge 10000] [--variants today,none,staging,derived,batch4000]
//   dotnet run -c Release --project bench/AllianceFhir.Benchmarks -- import [--responses 100000] [--plain 100000] [--batch 500]
//   dotnet run -c Release --project bench/AllianceFhir.Benchmarks -- subscriptions [--seconds 10] [--concurrency 8] [--rounds 2] [--latency-submits 300] [--latency-rate 20]
//   (internal) ... serve-baseline --urls http://127.0.0.1:PORT --db PATH
if (args.Length > 0 && args[0] == "serve-baseline")
{
    await BaselineServer.RunAsync(args[1..]);
    return 0;
}

if (args.Length > 0 && args[0] == "profile-submit")
{
    return await SubmitProfile.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "profile-read")
{
    return await ReadProfile.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "read-ratio")
{
    return await PairedReadBenchmark.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "audit-targets")
{
    return await AuditTargetFloor.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "import")
{
    return await ImportBenchmark.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "subscriptions")
{
    return await SubscriptionBenchmark.RunAsync(args[1..]);
}

var options = BenchmarkOptions.Parse(args);
return await BenchmarkRunner.RunAsync(options);
