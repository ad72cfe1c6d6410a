using System.Buffers.Text;
using System.Text.Json;
using AllianceFhir.Core.Errors;

namespace AllianceFhir.Storage.Search;

/// <summary>
/// The opaque continuation token of a page link: the position (sort key values and surrogate) of the row the next
/// page continues after, or the previous page ends before. No offset: rows inserted or removed meanwhile cannot
/// shift the page boundary, so a walk returns every row that matched throughout exactly once.
/// </summary>
internal sealed record SearchCursor(bool Backward, long Surrogate, IReadOnlyList<string> Keys)
{
    public string Encode()
    {
        string[] parts = [Backward ? "b" : "f", Surrogate.ToString(System.Globalization.CultureInfo.InvariantCulture), .. Keys];
        return Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(parts));
    }

    public static SearchCursor Decode(string text, int keyCount)
    {
        try
        {
            var parts = JsonSerializer.Deserialize<string[]>(Base64Url.DecodeFromChars(text));
            if (parts is { Length: >= 2 } && parts.Length == keyCount + 2 && parts[0] is "f" or "b"
                && long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var surrogate))
            {
                return new SearchCursor(parts[0] == "b", surrogate, parts[2..]);
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            // Reported below: a client that edits a link gets a 400, not a 500.
        }

        throw FhirOperationException.BadRequest("The paging cursor is malformed or does not belong to this search.");
    }
}
