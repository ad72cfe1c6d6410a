using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AllianceFhir.Storage.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class IndexParamKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_UriIndex_Lookup",
                table: "UriIndex");

            migrationBuilder.DropIndex(
                name: "IX_TokenIndex_Lookup",
                table: "TokenIndex");

            migrationBuilder.DropIndex(
                name: "IX_StringIndex_Lookup",
                table: "StringIndex");

            migrationBuilder.DropIndex(
                name: "IX_ReferenceIndex_Lookup",
                table: "ReferenceIndex");

            migrationBuilder.DropIndex(
                name: "IX_ReferenceIndex_Url",
                table: "ReferenceIndex");

            migrationBuilder.DropIndex(
                name: "IX_QuantityIndex_Lookup",
                table: "QuantityIndex");

            migrationBuilder.DropIndex(
                name: "IX_NumberIndex_Lookup",
                table: "NumberIndex");

            migrationBuilder.DropIndex(
                name: "IX_DateIndex_End",
                table: "DateIndex");

            migrationBuilder.DropIndex(
                name: "IX_DateIndex_Lookup",
                table: "DateIndex");

            migrationBuilder.AddColumn<long>(
                name: "ParamKey",
                table: "UriIndex",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "ParamKey",
                table: "TokenIndex",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "ParamKey",
                table: "StringIndex",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "ParamKey",
                table: "ReferenceIndex",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "ParamKey",
                table: "QuantityIndex",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "ParamKey",
                table: "NumberIndex",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "ParamKey",
                table: "DateIndex",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateIndex(
                name: "IX_UriIndex_Lookup",
                table: "UriIndex",
                columns: new[] { "ParamKey", "Uri", "Version", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_TokenIndex_Lookup",
                table: "TokenIndex",
                columns: new[] { "ParamKey", "Code", "System", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_StringIndex_Lookup",
                table: "StringIndex",
                columns: new[] { "ParamKey", "Normalized", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceIndex_Lookup",
                table: "ReferenceIndex",
                columns: new[] { "ParamKey", "TargetId", "TargetType", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceIndex_Url",
                table: "ReferenceIndex",
                columns: new[] { "ParamKey", "Url", "Version", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_QuantityIndex_Lookup",
                table: "QuantityIndex",
                columns: new[] { "ParamKey", "Code", "Low", "High", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_NumberIndex_Lookup",
                table: "NumberIndex",
                columns: new[] { "ParamKey", "Low", "High", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_DateIndex_End",
                table: "DateIndex",
                columns: new[] { "ParamKey", "End", "Start", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_DateIndex_Lookup",
                table: "DateIndex",
                columns: new[] { "ParamKey", "Start", "End", "ResourceSurrogate" });

            // Existing rows keep ParamKey 0 until FhirDatabase.MigrateAsync computes their keys (no SQL has XxHash64);
            // this work table is both that step's lookup table and the marker that it is still to do.
            migrationBuilder.Sql(ParamKeyBackfill.CreateTableSql(sqlServer: true));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ParamKeyBackfill.DropTableSql);

            migrationBuilder.DropIndex(
                name: "IX_UriIndex_Lookup",
                table: "UriIndex");

            migrationBuilder.DropIndex(
                name: "IX_TokenIndex_Lookup",
                table: "TokenIndex");

            migrationBuilder.DropIndex(
                name: "IX_StringIndex_Lookup",
                table: "StringIndex");

            migrationBuilder.DropIndex(
                name: "IX_ReferenceIndex_Lookup",
                table: "ReferenceIndex");

            migrationBuilder.DropIndex(
                name: "IX_ReferenceIndex_Url",
                table: "ReferenceIndex");

            migrationBuilder.DropIndex(
                name: "IX_QuantityIndex_Lookup",
                table: "QuantityIndex");

            migrationBuilder.DropIndex(
                name: "IX_NumberIndex_Lookup",
                table: "NumberIndex");

            migrationBuilder.DropIndex(
                name: "IX_DateIndex_End",
                table: "DateIndex");

            migrationBuilder.DropIndex(
                name: "IX_DateIndex_Lookup",
                table: "DateIndex");

            migrationBuilder.DropColumn(
                name: "ParamKey",
                table: "UriIndex");

            migrationBuilder.DropColumn(
                name: "ParamKey",
                table: "TokenIndex");

            migrationBuilder.DropColumn(
                name: "ParamKey",
                table: "StringIndex");

            migrationBuilder.DropColumn(
                name: "ParamKey",
                table: "ReferenceIndex");

            migrationBuilder.DropColumn(
                name: "ParamKey",
                table: "QuantityIndex");

            migrationBuilder.DropColumn(
                name: "ParamKey",
                table: "NumberIndex");

            migrationBuilder.DropColumn(
                name: "ParamKey",
                table: "DateIndex");

            migrationBuilder.CreateIndex(
                name: "IX_UriIndex_Lookup",
                table: "UriIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Uri", "Version", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_TokenIndex_Lookup",
                table: "TokenIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Code", "System", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_StringIndex_Lookup",
                table: "StringIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Normalized", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceIndex_Lookup",
                table: "ReferenceIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "TargetId", "TargetType", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceIndex_Url",
                table: "ReferenceIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Url", "Version", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_QuantityIndex_Lookup",
                table: "QuantityIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Code", "Low", "High", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_NumberIndex_Lookup",
                table: "NumberIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Low", "High", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_DateIndex_End",
                table: "DateIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "End", "Start", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_DateIndex_Lookup",
                table: "DateIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Start", "End", "ResourceSurrogate" });
        }
    }
}
