namespace AllianceFhir.Core.FormLinks;

/// <summary>
/// A single-use, expiring link that lets one person submit one QuestionnaireResponse without an account: whoever holds
/// the token may answer <see cref="Questionnaire"/> for <see cref="Patient"/> (and <see cref="Encounter"/>), once,
/// before <see cref="ExpiresAt"/>. Only the token's hash is stored, so a copy of the database opens no form.
/// </summary>
/// <param name="Id">The link's own id (not the token): what audit and logs may name.</param>
/// <param name="Tenant">The clinic the response is written to.</param>
/// <param name="TokenHash">SHA-256 of the token (<see cref="FormLinkTokens.Hash"/>).</param>
/// <param name="Questionnaire">The canonical the response answers, <c>url|version</c>.</param>
/// <param name="Patient">The subject's id (<c>Patient/{id}</c>).</param>
/// <param name="Encounter">The encounter's id, when the link was made for one.</param>
/// <param name="CreatedBy">The token subject of whoever created the link (a user id, not a name).</param>
/// <param name="ClaimedAt">Set while a submission is being written (see <see cref="IFormLinkStore.ClaimAsync"/>).</param>
/// <param name="UsedAt">Set once a response has been stored through the link: from then on it opens nothing.</param>
/// <param name="ResponseId">The QuestionnaireResponse the link produced.</param>
public sealed record FormLink(
    string Id,
    string Tenant,
    string TokenHash,
    string Questionnaire,
    string Patient,
    string? Encounter,
    string? CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? ClaimedAt = null,
    DateTimeOffset? UsedAt = null,
    string? ResponseId = null)
{
    public FormLinkState StateAt(DateTimeOffset now) =>
        UsedAt is not null || ClaimedAt is not null ? FormLinkState.Used
        : now >= ExpiresAt ? FormLinkState.Expired
        : FormLinkState.Open;
}

public enum FormLinkState
{
    Open,
    Used,
    Expired,
}
