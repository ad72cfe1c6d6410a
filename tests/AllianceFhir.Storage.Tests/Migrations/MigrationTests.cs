using AllianceFhir.Storage.Sqlite;
using AllianceFhir.Storage.SqlServer;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace AllianceFhir.Storage.Tests.Migrations;

/// <summary>
/// No SQL Server engine runs here, so its migrations are checked as text: the generated script must parse as T-SQL,
/// and both providers' migrations must match the current model.
/// </summary>
public class MigrationTests
{
    private static SqlServerFhirDbContext SqlServer() =>
        new(new DbContextOptionsBuilder<SqlServerFhirDbContext>().UseSqlServer("Server=unused;Database=unused").Options);

    private static SqliteFhirDbContext Sqlite() =>
        new(new DbContextOptionsBuilder<SqliteFhirDbContext>().UseSqlite("Data Source=:memory:").Options);

    [Fact]
    public void Sql_server_migration_script_parses_as_t_sql()
    {
        using var db = SqlServer();
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(script);
        var fragment = parser.Parse(reader, out var errors);

        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"line {e.Line}: {e.Message}")));
        var tables = new CreatedTables();
        fragment.Accept(tables);
        Assert.Contains("Resources", tables.Names);
        Assert.Contains("TokenIndex", tables.Names);
        Assert.Contains("ConditionClaims", tables.Names);
        Assert.Contains("PRIMARY KEY ([TenantId], [ResourceType], [ConditionHash])", script, StringComparison.Ordinal);
        Assert.Contains("CREATE UNIQUE INDEX [UX_Resources_Current]", script, StringComparison.Ordinal);
        Assert.Contains("WHERE [IsHistory] = 0", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Sql_server_migrations_match_the_model()
    {
        using var db = SqlServer();
        Assert.False(db.Database.HasPendingModelChanges(), "The SQL Server model changed without a migration: run dotnet ef migrations add (see README).");
    }

    [Fact]
    public void Sqlite_migrations_match_the_model()
    {
        using var db = Sqlite();
        Assert.False(db.Database.HasPendingModelChanges(), "The SQLite model changed without a migration: run dotnet ef migrations add (see README).");
    }

    [Fact]
    public void Sqlite_migrations_create_the_schema_on_an_empty_database()
    {
        using var db = Sqlite();
        db.Database.OpenConnection();
        db.Database.Migrate();

        Assert.Empty(db.Database.GetPendingMigrations());
        Assert.Equal(0, db.Resources.Count());
    }
}

/// <summary>Collects CREATE TABLE names anywhere in a script (the idempotent script nests them in IF blocks).</summary>
internal sealed class CreatedTables : TSqlFragmentVisitor
{
    public List<string> Names { get; } = [];

    public override void ExplicitVisit(CreateTableStatement node)
    {
        Names.Add(node.SchemaObjectName.BaseIdentifier.Value);
        base.ExplicitVisit(node);
    }
}
