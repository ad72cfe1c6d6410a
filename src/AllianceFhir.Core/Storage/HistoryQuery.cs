namespace AllianceFhir.Core.Storage;

/// <summary>History at system (no type), type (no id) or instance level, newest first.</summary>
/// <param name="Before">Continue below this <see cref="ResourceVersion.Sequence"/> (the next page), or null for the first page.</param>
public sealed record HistoryQuery(string? ResourceType, string? Id, DateTimeOffset? Since, int Count, long? Before = null);
