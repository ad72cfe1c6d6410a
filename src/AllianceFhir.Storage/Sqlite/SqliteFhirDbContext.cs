using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage.Sqlite;

public sealed class SqliteFhirDbContext(DbContextOptions<SqliteFhirDbContext> options) : FhirDbContext(options)
{
    protected override string CurrentVersionFilter => "\"IsHistory\" = 0";

    protected override string ReferenceUrlFilter => "\"Url\" IS NOT NULL";
}
