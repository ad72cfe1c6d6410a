using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AllianceFhir.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SearchEngineIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_UriIndex_Lookup",
                table: "UriIndex");

            migrationBuilder.DropIndex(
                name: "IX_UriIndex_Resource",
                table: "UriIndex");

            migrationBuilder.DropIndex(
                name: "IX_TokenIndex_Resource",
                table: "TokenIndex");

            migrationBuilder.DropIndex(
                name: "IX_StringIndex_Resource",
                table: "StringIndex");

            migrationBuilder.DropIndex(
                name: "IX_ReferenceIndex_Resource",
                table: "ReferenceIndex");

            migrationBuilder.DropIndex(
                name: "IX_ReferenceIndex_Url",
                table: "ReferenceIndex");

            migrationBuilder.DropIndex(
                name: "IX_QuantityIndex_Lookup",
                table: "QuantityIndex");

            migrationBuilder.DropIndex(
                name: "IX_QuantityIndex_Resource",
                table: "QuantityIndex");

            migrationBuilder.DropIndex(
                name: "IX_NumberIndex_Lookup",
                table: "NumberIndex");

            migrationBuilder.DropIndex(
                name: "IX_NumberIndex_Resource",
                table: "NumberIndex");

            migrationBuilder.DropIndex(
                name: "IX_DateIndex_Resource",
                table: "DateIndex");

            migrationBuilder.AddColumn<int>(
                name: "CompositeGroup",
                table: "UriIndex",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "CompositeGroup",
                table: "TokenIndex",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "CompositeGroup",
                table: "StringIndex",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "CompositeGroup",
                table: "ReferenceIndex",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "CompositeGroup",
                table: "QuantityIndex",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "CompositeGroup",
                table: "NumberIndex",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "CompositeGroup",
                table: "DateIndex",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_UriIndex_Lookup",
                table: "UriIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Uri", "Version", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_UriIndex_Resource",
                table: "UriIndex",
                columns: new[] { "ResourceSurrogate", "ParamName" });

            migrationBuilder.CreateIndex(
                name: "IX_TokenIndex_Resource",
                table: "TokenIndex",
                columns: new[] { "ResourceSurrogate", "ParamName" });

            migrationBuilder.CreateIndex(
                name: "IX_StringIndex_Resource",
                table: "StringIndex",
                columns: new[] { "ResourceSurrogate", "ParamName" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceIndex_Resource",
                table: "ReferenceIndex",
                columns: new[] { "ResourceSurrogate", "ParamName" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceIndex_Url",
                table: "ReferenceIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Url", "Version", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_QuantityIndex_Lookup",
                table: "QuantityIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Code", "Low", "High", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_QuantityIndex_Resource",
                table: "QuantityIndex",
                columns: new[] { "ResourceSurrogate", "ParamName" });

            migrationBuilder.CreateIndex(
                name: "IX_NumberIndex_Lookup",
                table: "NumberIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Low", "High", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_NumberIndex_Resource",
                table: "NumberIndex",
                columns: new[] { "ResourceSurrogate", "ParamName" });

            migrationBuilder.CreateIndex(
                name: "IX_DateIndex_End",
                table: "DateIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "End", "Start", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_DateIndex_Resource",
                table: "DateIndex",
                columns: new[] { "ResourceSurrogate", "ParamName" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_UriIndex_Lookup",
                table: "UriIndex");

            migrationBuilder.DropIndex(
                name: "IX_UriIndex_Resource",
                table: "UriIndex");

            migrationBuilder.DropIndex(
                name: "IX_TokenIndex_Resource",
                table: "TokenIndex");

            migrationBuilder.DropIndex(
                name: "IX_StringIndex_Resource",
                table: "StringIndex");

            migrationBuilder.DropIndex(
                name: "IX_ReferenceIndex_Resource",
                table: "ReferenceIndex");

            migrationBuilder.DropIndex(
                name: "IX_ReferenceIndex_Url",
                table: "ReferenceIndex");

            migrationBuilder.DropIndex(
                name: "IX_QuantityIndex_Lookup",
                table: "QuantityIndex");

            migrationBuilder.DropIndex(
                name: "IX_QuantityIndex_Resource",
                table: "QuantityIndex");

            migrationBuilder.DropIndex(
                name: "IX_NumberIndex_Lookup",
                table: "NumberIndex");

            migrationBuilder.DropIndex(
                name: "IX_NumberIndex_Resource",
                table: "NumberIndex");

            migrationBuilder.DropIndex(
                name: "IX_DateIndex_End",
                table: "DateIndex");

            migrationBuilder.DropIndex(
                name: "IX_DateIndex_Resource",
                table: "DateIndex");

            migrationBuilder.DropColumn(
                name: "CompositeGroup",
                table: "UriIndex");

            migrationBuilder.DropColumn(
                name: "CompositeGroup",
                table: "TokenIndex");

            migrationBuilder.DropColumn(
                name: "CompositeGroup",
                table: "StringIndex");

            migrationBuilder.DropColumn(
                name: "CompositeGroup",
                table: "ReferenceIndex");

            migrationBuilder.DropColumn(
                name: "CompositeGroup",
                table: "QuantityIndex");

            migrationBuilder.DropColumn(
                name: "CompositeGroup",
                table: "NumberIndex");

            migrationBuilder.DropColumn(
                name: "CompositeGroup",
                table: "DateIndex");

            migrationBuilder.CreateIndex(
                name: "IX_UriIndex_Lookup",
                table: "UriIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Uri", "Version" });

            migrationBuilder.CreateIndex(
                name: "IX_UriIndex_Resource",
                table: "UriIndex",
                column: "ResourceSurrogate");

            migrationBuilder.CreateIndex(
                name: "IX_TokenIndex_Resource",
                table: "TokenIndex",
                column: "ResourceSurrogate");

            migrationBuilder.CreateIndex(
                name: "IX_StringIndex_Resource",
                table: "StringIndex",
                column: "ResourceSurrogate");

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceIndex_Resource",
                table: "ReferenceIndex",
                column: "ResourceSurrogate");

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceIndex_Url",
                table: "ReferenceIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Url", "Version" });

            migrationBuilder.CreateIndex(
                name: "IX_QuantityIndex_Lookup",
                table: "QuantityIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Code", "Low", "High" });

            migrationBuilder.CreateIndex(
                name: "IX_QuantityIndex_Resource",
                table: "QuantityIndex",
                column: "ResourceSurrogate");

            migrationBuilder.CreateIndex(
                name: "IX_NumberIndex_Lookup",
                table: "NumberIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Low", "High" });

            migrationBuilder.CreateIndex(
                name: "IX_NumberIndex_Resource",
                table: "NumberIndex",
                column: "ResourceSurrogate");

            migrationBuilder.CreateIndex(
                name: "IX_DateIndex_Resource",
                table: "DateIndex",
                column: "ResourceSurrogate");
        }
    }
}
