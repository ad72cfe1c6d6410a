namespace AllianceFhir.Storage.Configurations;

/// <summary>
/// Bounded lengths for indexed columns: SQL Server cannot index nvarchar(max), and its index keys stop at 1,700 bytes.
/// </summary>
internal static class ColumnLengths
{
    public const int TenantId = 64;
    public const int ResourceType = 64;
    public const int ResourceId = 64;
    public const int ParamName = 100;
    public const int Token = 256;
    public const int Uri = 512;
    public const int StringValue = 256;

    /// <summary>SHA-256 in hexadecimal.</summary>
    public const int ConditionHash = 64;
}
