using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage;

internal static class UniqueViolation
{
    private const int SqliteConstraint = 19;
    private const int SqlServerUniqueIndex = 2601;
    private const int SqlServerUniqueConstraint = 2627;

    public static bool Is(DbUpdateException ex) => ex.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteConstraint,
        SqlException sql => sql.Number is SqlServerUniqueIndex or SqlServerUniqueConstraint,
        _ => false,
    };
}
