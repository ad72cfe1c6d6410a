using AllianceFhir.Cli;

return await CliApp.RunAsync(args, CliHost.ForConsole());
