using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

internal static class SearchIndexRows
{
    /// <summary>Index rows describe the current version only: drop a version's rows when it becomes history.</summary>
    public static async Task DeleteForAsync(FhirDbContext db, long surrogate, CancellationToken cancellationToken)
    {
        await db.TokenIndex.Where(e => e.ResourceSurrogate == surrogate).ExecuteDeleteAsync(cancellationToken);
        await db.StringIndex.Where(e => e.ResourceSurrogate == surrogate).ExecuteDeleteAsync(cancellationToken);
        await db.DateIndex.Where(e => e.ResourceSurrogate == surrogate).ExecuteDeleteAsync(cancellationToken);
        await db.ReferenceIndex.Where(e => e.ResourceSurrogate == surrogate).ExecuteDeleteAsync(cancellationToken);
        await db.UriIndex.Where(e => e.ResourceSurrogate == surrogate).ExecuteDeleteAsync(cancellationToken);
        await db.NumberIndex.Where(e => e.ResourceSurrogate == surrogate).ExecuteDeleteAsync(cancellationToken);
        await db.QuantityIndex.Where(e => e.ResourceSurrogate == surrogate).ExecuteDeleteAsync(cancellationToken);
    }
}
