using AllianceFhir.Api.Http;
using AllianceFhir.Core;
using AllianceFhir.Core.Audit;
using AllianceFhir.Core.Import;
using AllianceFhir.Core.References;
using AllianceFhir.Core.Search;
using AllianceFhir.Core.Storage;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Import;

/// <summary>
/// Runs import jobs one at a time: claims a queued job (or one whose worker's lease ran out, after a crash) and imports
/// it from its last checkpoint in a DI scope of its own, bound to the job's tenant. Woken at once when a job is
/// recorded, otherwise it looks every <see cref="ImportOptions.PollMilliseconds"/>.
/// </summary>
public sealed class ImportWorker(IServiceScopeFactory scopes, IOptions<ImportOptions> options, ILogger<ImportWorker> logger) : BackgroundService
{
    /// <summary>Unique per process start (the lease column holds 64 characters).</summary>
    private readonly string _owner = $"{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>A new job was recorded: look now rather than at the next poll.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunJobsAsync(options.Value, stoppingToken);
        }
        finally
        {
            await ReleaseLeasesAsync();
        }
    }

    private async Task RunJobsAsync(ImportOptions settings, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var ran = false;
            try
            {
                ran = await RunNextAsync(settings, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down: the batch in flight was not committed, and the job resumes from its last checkpoint.
                return;
            }
            catch (Exception ex)
            {
                logger.LogError("Import worker failed with {Exception}; it tries again", ex.GetType().Name);
            }

            if (!ran)
            {
                try
                {
                    await _wake.WaitAsync(TimeSpan.FromMilliseconds(settings.PollMilliseconds), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// On a clean stop the job in flight is handed back (its lease ends now), so a restarted server resumes it at once
    /// from its last checkpoint; only a crash leaves it to wait for <see cref="ImportOptions.LeaseSeconds"/>.
    /// </summary>
    private async Task ReleaseLeasesAsync()
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IImportJobStore>().ReleaseAsync(_owner, bounded.Token);
        }
        catch (Exception ex)
        {
            // The lease then runs out by itself; the job still resumes, later.
            logger.LogWarning("Import worker could not hand back its jobs on stopping ({Exception})", ex.GetType().Name);
        }
    }

    private async Task<bool> RunNextAsync(ImportOptions settings, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var lease = TimeSpan.FromSeconds(settings.LeaseSeconds);
        var job = await services.GetRequiredService<IImportJobStore>().ClaimAsync(_owner, lease, stoppingToken);
        if (job is null)
        {
            return false;
        }

        logger.LogInformation("Import job {JobId} runs from input {Input}, line {Line}", job.Id, job.Progress.Input + 1, job.Progress.Line);
        var store = services.GetRequiredService<IResourceStoreFactory>().ForTenant(job.Tenant);

        // The configured public base when there is one (as for every request); else the base the job was started at.
        var serviceBase = FhirUrls.ServiceBaseOf(services) is { Url: not null } configured ? configured : ServiceBase.Of(job.Requester.ServiceBase);
        var engine = new ImportServices(
            store,
            services.ResourceServiceFor(store, serviceBase),
            ActivatorUtilities.CreateInstance<SearchService>(services, store, serviceBase),
            services.ResourceReaderFor(store, serviceBase));
        var processor = ActivatorUtilities.CreateInstance<ImportJobProcessor>(
            services,
            new ImportSettings(settings.BatchSize, settings.MaxLineBytes, lease));
        await processor.RunAsync(job, engine, stoppingToken);
        return true;
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
