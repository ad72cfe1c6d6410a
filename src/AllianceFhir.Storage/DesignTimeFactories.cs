using AllianceFhir.Storage.Sqlite;
using AllianceFhir.Storage.SqlServer;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AllianceFhir.Storage;

/// <summary>Lets dotnet-ef build each provider's context without a running host or a live database.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteFhirDbContext>
{
    public SqliteFhirDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteFhirDbContext>().UseSqlite("Data Source=design.db").Options);
}

public sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerFhirDbContext>
{
    public SqlServerFhirDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerFhirDbContext>()
            .UseSqlServer("Server=design;Database=AllianceFhir;Trusted_Connection=True;TrustServerCertificate=True")
            .Options);
}
