using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AllianceFhir.Storage.SqlServer.Migrations
{
    /// <summary>Data only: the seeded catalog moves from the default tenant to the catalog tenant (see <see cref="CatalogTenantMove"/>).</summary>
    public partial class CatalogTenant : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var statement in CatalogTenantMove.Up())
            {
                migrationBuilder.Sql(statement);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var statement in CatalogTenantMove.Down())
            {
                migrationBuilder.Sql(statement);
            }
        }
    }
}
