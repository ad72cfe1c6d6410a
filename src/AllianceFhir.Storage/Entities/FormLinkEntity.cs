namespace AllianceFhir.Storage.Entities;

/// <summary>One patient form link (<see cref="Core.FormLinks.FormLink"/>); the token itself is never stored, only its hash.</summary>
public sealed class FormLinkEntity
{
    public required string Id { get; set; }

    public required string TenantId { get; set; }

    /// <summary>SHA-256 of the token, hex; unique.</summary>
    public required string TokenHash { get; set; }

    /// <summary>The canonical <c>url|version</c> of the Questionnaire.</summary>
    public required string Questionnaire { get; set; }

    public required string PatientId { get; set; }

    public string? EncounterId { get; set; }

    public string? CreatedBy { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    public DateTime? ClaimedAt { get; set; }

    public DateTime? UsedAt { get; set; }

    public string? ResponseId { get; set; }
}
