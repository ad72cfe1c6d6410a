using AllianceFhir.Core.FormLinks;
using AllianceFhir.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

/// <summary>
/// Form links in the <c>FormLinks</c> table. Claims are conditional updates (one row changes or none), so two
/// submissions through one link, on one server or several over SQL Server, cannot both go ahead.
/// </summary>
internal sealed class EfFormLinkStore(FhirDbContext db) : IFormLinkStore
{
    public async Task CreateAsync(FormLink link, CancellationToken cancellationToken)
    {
        db.FormLinks.Add(new FormLinkEntity
        {
            Id = link.Id,
            TenantId = link.Tenant,
            TokenHash = link.TokenHash,
            Questionnaire = link.Questionnaire,
            PatientId = link.Patient,
            EncounterId = link.Encounter,
            CreatedBy = link.CreatedBy,
            CreatedAt = link.CreatedAt.UtcDateTime,
            ExpiresAt = link.ExpiresAt.UtcDateTime,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    public async Task<FormLink?> FindAsync(string tokenHash, CancellationToken cancellationToken)
    {
        var row = await db.FormLinks.AsNoTracking().FirstOrDefaultAsync(l => l.TokenHash == tokenHash, cancellationToken);
        return row is null ? null : new FormLink(
            row.Id,
            row.TenantId,
            row.TokenHash,
            row.Questionnaire,
            row.PatientId,
            row.EncounterId,
            row.CreatedBy,
            Utc(row.CreatedAt),
            Utc(row.ExpiresAt),
            row.ClaimedAt is { } claimed ? Utc(claimed) : null,
            row.UsedAt is { } used ? Utc(used) : null,
            row.ResponseId);
    }

    public async Task<bool> ClaimAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var at = now.UtcDateTime;
        return await db.FormLinks
            .Where(l => l.Id == id && l.UsedAt == null && l.ExpiresAt > at && l.ClaimedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ClaimedAt, at), cancellationToken) == 1;
    }

    public async Task CompleteAsync(string id, string responseId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var at = now.UtcDateTime;
        await db.FormLinks
            .Where(l => l.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.UsedAt, at).SetProperty(l => l.ResponseId, responseId), cancellationToken);
    }

    public async Task ReleaseAsync(string id, CancellationToken cancellationToken) =>
        await db.FormLinks
            .Where(l => l.Id == id && l.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ClaimedAt, (DateTime?)null), cancellationToken);

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
