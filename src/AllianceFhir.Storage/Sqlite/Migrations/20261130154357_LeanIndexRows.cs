using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AllianceFhir.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class LeanIndexRows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // `_id` is searched on the version row's own id now (Search/ResourceIdParameter.cs): its rows are dead weight.
            migrationBuilder.Sql("DELETE FROM \"TokenIndex\" WHERE \"ParamName\" = '_id'");

            migrationBuilder.DropIndex(
                name: "IX_ReferenceIndex_Url",
                table: "ReferenceIndex");

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceIndex_Url",
                table: "ReferenceIndex",
                columns: new[] { "ParamKey", "Url", "Version", "ResourceSurrogate" },
                filter: "\"Url\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ReferenceIndex_Url",
                table: "ReferenceIndex");

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceIndex_Url",
                table: "ReferenceIndex",
                columns: new[] { "ParamKey", "Url", "Version", "ResourceSurrogate" });

            // The rows of current versions come back with key 0; the start-up backfill (ParamKeyBackfill) keys them.
            migrationBuilder.Sql("INSERT INTO \"TokenIndex\" (\"ResourceSurrogate\", \"TenantId\", \"ResourceType\", \"ParamName\", \"ParamKey\", \"Code\") SELECT \"Surrogate\", \"TenantId\", \"ResourceType\", '_id', 0, \"ResourceId\" FROM \"Resources\" WHERE \"IsHistory\" = 0 AND \"IsDeleted\" = 0");
        }
    }
}
