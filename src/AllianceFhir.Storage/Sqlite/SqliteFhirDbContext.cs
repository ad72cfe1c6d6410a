using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage.Sqlite;

public sealed class SqliteFhirDbContext(DbContextOptions<SqliteFhirDbContext> options) : FhirDbContext(options)
{
    protected override string CurrentVersionFilter => "\"IsHistory\" = 0";
}
