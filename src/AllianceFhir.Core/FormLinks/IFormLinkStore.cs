namespace AllianceFhir.Core.FormLinks;

/// <summary>
/// The durable record of form links. A submission first claims its link (a compare-and-set, so two submissions racing
/// through one link cannot both proceed), then writes the response, then marks the link used; a submission the
/// pipeline refuses releases its claim so the person can correct the answers and send again.
/// </summary>
public interface IFormLinkStore
{
    Task CreateAsync(FormLink link, CancellationToken cancellationToken);

    /// <summary>The link whose token has this hash, in any tenant (the token is the only key a patient holds), or null.</summary>
    Task<FormLink?> FindAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Claims an open link for one submission: true only when it is unused, unclaimed and not expired at
    /// <paramref name="now"/>. A claim is given back only by <see cref="ReleaseAsync"/>: if the server stops between
    /// writing the response and <see cref="CompleteAsync"/>, the link stays closed (the person asks for a new one)
    /// rather than risk a second response.
    /// </summary>
    Task<bool> ClaimAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks a claimed link used by the response it produced.</summary>
    Task CompleteAsync(string id, string responseId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Gives a claim back after a refused submission.</summary>
    Task ReleaseAsync(string id, CancellationToken cancellationToken);
}
