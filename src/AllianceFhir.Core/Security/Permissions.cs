namespace AllianceFhir.Core.Security;

/// <summary>
/// The SMART v2 permissions, one flag per letter of <c>cruds</c>. A request may need several (a conditional create is
/// a create and a search); a scope grants a set.
/// </summary>
[Flags]
public enum Permissions
{
    None = 0,
    Create = 1,
    Read = 2,
    Update = 4,
    Delete = 8,
    Search = 16,
    All = Create | Read | Update | Delete | Search,
}

/// <summary>The letters of a permission set, in the order SMART v2 writes them.</summary>
public static class PermissionLetters
{
    private static readonly (char Letter, Permissions Permissions)[] Order =
    [
        ('c', Permissions.Create), ('r', Permissions.Read), ('u', Permissions.Update), ('d', Permissions.Delete), ('s', Permissions.Search),
    ];

    public static string Of(Permissions permissions) =>
        string.Concat(Order.Where(o => permissions.HasFlag(o.Permissions)).Select(o => o.Letter));

    /// <summary>
    /// SMART v2 writes the letters in the order c, r, u, d, s, each at most once ("rs", "cud", "cruds"); anything else is
    /// not a v2 permission string.
    /// </summary>
    public static bool TryParse(string text, out Permissions permissions)
    {
        permissions = Permissions.None;
        var next = 0;
        foreach (var letter in text)
        {
            var at = Array.FindIndex(Order, next, o => o.Letter == letter);
            if (at < 0)
            {
                permissions = Permissions.None;
                return false;
            }

            permissions |= Order[at].Permissions;
            next = at + 1;
        }

        return permissions != Permissions.None;
    }
}
