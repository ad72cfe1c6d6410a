using Microsoft.EntityFrameworkCore;

namespace AllianceFhir.Storage.SqlServer;

public sealed class SqlServerFhirDbContext(DbContextOptions<SqlServerFhirDbContext> options) : FhirDbContext(options)
{
    protected override string CurrentVersionFilter => "[IsHistory] = 0";

    protected override string ReferenceUrlFilter => "[Url] IS NOT NULL";
}
