using AllianceFhir.Api.Http;
using AllianceFhir.Core.Export;
using AllianceFhir.Core.References;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Export;

/// <summary>
/// Runs export jobs one at a time, as <see cref="Import.ImportWorker"/> runs imports: claims a queued job (or one whose
/// worker's lease ran out) and writes it from its last checkpoint in a DI scope of its own. Between jobs it deletes the
/// files of expired and cancelled jobs. Woken at once when a job is recorded, otherwise it looks every
/// <see cref="ExportOptions.PollMilliseconds"/>.
/// </summary>
public sealed class ExportWorker(IServiceScopeFactory scopes, IOptions<ExportOptions> options, ExportFolder folder, TimeProvider clock, ILogger<ExportWorker> logger)
    : BackgroundService
{
    private readonly string _owner = $"{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly SemaphoreSlim _wake = new(0);

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

    private async Task RunJobsAsync(ExportOptions settings, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var ran = false;
            try
            {
                await DeleteExpiredAsync(stoppingToken);
                ran = await RunNextAsync(settings, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down: the job resumes from its last checkpoint.
                return;
            }
            catch (Exception ex)
            {
                logger.LogError("Export worker failed with {Exception}; it tries again", ex.GetType().Name);
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

    private async Task<bool> RunNextAsync(ExportOptions settings, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var jobs = services.GetRequiredService<IExportJobStore>();
        var lease = TimeSpan.FromSeconds(settings.LeaseSeconds);
        var job = await jobs.ClaimAsync(_owner, lease, stoppingToken);
        if (job is null)
        {
            return false;
        }

        logger.LogInformation("Export job {JobId} runs from type {Type} of {Types}", job.Id, job.Progress.Type + 1, job.Request.Types.Count);

        // The configured public base when there is one (as for every request, and as ImportWorker does); else the base of
        // the kick-off request, which this background work has no request of its own to learn.
        var serviceBase = FhirUrls.ServiceBaseOf(services) is { Url: not null } configured ? configured : ServiceBase.Of(job.Requester.ServiceBase);
        var processor = ActivatorUtilities.CreateInstance<ExportJobProcessor>(
            services,
            serviceBase,
            new ExportSettings(settings.PageSize, lease, TimeSpan.FromSeconds(settings.RetentionSeconds)));
        try
        {
            await processor.RunAsync(job, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // A job that cannot go on (its Group was deleted, the disk is full) fails with the reason rather than being
            // retried for ever; its partial files go at once.
            var current = await jobs.FindAsync(job.Tenant, job.Id, stoppingToken);
            var reason = ex is Core.Errors.FhirOperationException fhir ? fhir.Outcome.Issue[0].Diagnostics : ex.GetType().Name;
            if (current is not null && await jobs.FinishAsync(current, ExportJobStatus.Failed, reason, clock.GetUtcNow() + TimeSpan.FromSeconds(settings.RetentionSeconds), stoppingToken))
            {
                folder.Delete(job.Id);
                logger.LogWarning("Export job {JobId} failed with {Exception}", job.Id, ex.GetType().Name);
            }
        }

        return true;
    }

    /// <summary>Expired and cancelled jobs: files first, then the row, so a crash between them only repeats the delete.</summary>
    private async Task DeleteExpiredAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var jobs = scope.ServiceProvider.GetRequiredService<IExportJobStore>();
        foreach (var id in await jobs.ExpiredAsync(clock.GetUtcNow(), 100, stoppingToken))
        {
            folder.Delete(id);
            await jobs.DeleteAsync(id, stoppingToken);
        }
    }

    private async Task ReleaseLeasesAsync()
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IExportJobStore>().ReleaseAsync(_owner, bounded.Token);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Export worker could not hand back its jobs on stopping ({Exception})", ex.GetType().Name);
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
