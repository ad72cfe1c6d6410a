namespace AllianceFhir.Core.Storage;

/// <summary>History at system (no type), type (no id) or instance level, newest first.</summary>
public sealed record HistoryQuery(string? ResourceType, string? Id, DateTimeOffset? Since, int Count);
