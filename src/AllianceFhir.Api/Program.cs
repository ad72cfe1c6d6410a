using AllianceFhir.Api.App;
using AllianceFhir.Api.Audit;
using AllianceFhir.Api.Endpoints;
using AllianceFhir.Api.Export;
using AllianceFhir.Api.Hosting;
using AllianceFhir.Api.Http;
using AllianceFhir.Api.Import;
using AllianceFhir.Api.OpenApi;
using AllianceFhir.Api.Security;
using AllianceFhir.Api.Subscriptions;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddFhirServer(builder.Configuration);
builder.Services.AddFhirSecurity(builder.Configuration);
builder.Services.AddFhirAudit();
builder.Services.AddHttpHardening(builder.Configuration);
builder.Services.AddFhirImport(builder.Configuration);
builder.Services.AddFhirSubscriptions(builder.Configuration);
builder.Services.AddFhirExport(builder.Configuration);
builder.Services.AddAppPages(builder.Configuration);

var app = builder.Build();

await app.MigrateFhirDatabaseAsync();
await app.SeedInstrumentCatalogAsync();

app.UseHttpHardening();
app.UseHeadAsGet();
app.UseRouting();
app.UseFhirAudit();
app.UseExceptionHandler();
app.UseFhirSecurity();
app.UseFhirNegotiation();
app.UseFhirOpenApi();
app.MapFhirImport();
app.MapFhirExport();
app.MapFhir();
app.MapAppPages();
app.MapHealthChecks("/healthz");

await app.RunAsync();

/// <summary>Entry point type, public so WebApplicationFactory can host the app in tests.</summary>
public partial class Program;
