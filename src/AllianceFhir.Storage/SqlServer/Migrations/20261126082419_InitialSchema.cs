using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AllianceFhir.Storage.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Resources",
                columns: table => new
                {
                    Surrogate = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    TenantId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ResourceType = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ResourceId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    VersionId = table.Column<int>(type: "int", nullable: false),
                    IsHistory = table.Column<bool>(type: "bit", nullable: false),
                    IsDeleted = table.Column<bool>(type: "bit", nullable: false),
                    LastUpdated = table.Column<DateTime>(type: "datetime2", nullable: false),
                    Method = table.Column<string>(type: "nvarchar(8)", maxLength: 8, nullable: false),
                    Json = table.Column<string>(type: "nvarchar(max)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Resources", x => x.Surrogate);
                });

            migrationBuilder.CreateTable(
                name: "DateIndex",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Start = table.Column<DateTime>(type: "datetime2", nullable: false),
                    End = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ResourceSurrogate = table.Column<long>(type: "bigint", nullable: false),
                    TenantId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ResourceType = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ParamName = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    CompositeGroup = table.Column<int>(type: "int", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DateIndex", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DateIndex_Resources_ResourceSurrogate",
                        column: x => x.ResourceSurrogate,
                        principalTable: "Resources",
                        principalColumn: "Surrogate",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "NumberIndex",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Value = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Low = table.Column<double>(type: "float", nullable: false),
                    High = table.Column<double>(type: "float", nullable: false),
                    ResourceSurrogate = table.Column<long>(type: "bigint", nullable: false),
                    TenantId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ResourceType = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ParamName = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    CompositeGroup = table.Column<int>(type: "int", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NumberIndex", x => x.Id);
                    table.ForeignKey(
                        name: "FK_NumberIndex_Resources_ResourceSurrogate",
                        column: x => x.ResourceSurrogate,
                        principalTable: "Resources",
                        principalColumn: "Surrogate",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "QuantityIndex",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    System = table.Column<string>(type: "nvarchar(512)", maxLength: 512, nullable: true),
                    Code = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    Value = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Low = table.Column<double>(type: "float", nullable: false),
                    High = table.Column<double>(type: "float", nullable: false),
                    ResourceSurrogate = table.Column<long>(type: "bigint", nullable: false),
                    TenantId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ResourceType = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ParamName = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    CompositeGroup = table.Column<int>(type: "int", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QuantityIndex", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QuantityIndex_Resources_ResourceSurrogate",
                        column: x => x.ResourceSurrogate,
                        principalTable: "Resources",
                        principalColumn: "Surrogate",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ReferenceIndex",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    TargetType = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    TargetId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    Url = table.Column<string>(type: "nvarchar(512)", maxLength: 512, nullable: true),
                    Version = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    ResourceSurrogate = table.Column<long>(type: "bigint", nullable: false),
                    TenantId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ResourceType = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ParamName = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    CompositeGroup = table.Column<int>(type: "int", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferenceIndex", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReferenceIndex_Resources_ResourceSurrogate",
                        column: x => x.ResourceSurrogate,
                        principalTable: "Resources",
                        principalColumn: "Surrogate",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "StringIndex",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Normalized = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    Exact = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    ResourceSurrogate = table.Column<long>(type: "bigint", nullable: false),
                    TenantId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ResourceType = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ParamName = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    CompositeGroup = table.Column<int>(type: "int", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StringIndex", x => x.Id);
                    table.ForeignKey(
                        name: "FK_StringIndex_Resources_ResourceSurrogate",
                        column: x => x.ResourceSurrogate,
                        principalTable: "Resources",
                        principalColumn: "Surrogate",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TokenIndex",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    System = table.Column<string>(type: "nvarchar(512)", maxLength: 512, nullable: true),
                    Code = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    Text = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    ResourceSurrogate = table.Column<long>(type: "bigint", nullable: false),
                    TenantId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ResourceType = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ParamName = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    CompositeGroup = table.Column<int>(type: "int", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TokenIndex", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TokenIndex_Resources_ResourceSurrogate",
                        column: x => x.ResourceSurrogate,
                        principalTable: "Resources",
                        principalColumn: "Surrogate",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "UriIndex",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Uri = table.Column<string>(type: "nvarchar(512)", maxLength: 512, nullable: false),
                    Version = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    ResourceSurrogate = table.Column<long>(type: "bigint", nullable: false),
                    TenantId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ResourceType = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ParamName = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    CompositeGroup = table.Column<int>(type: "int", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UriIndex", x => x.Id);
                    table.ForeignKey(
                        name: "FK_UriIndex_Resources_ResourceSurrogate",
                        column: x => x.ResourceSurrogate,
                        principalTable: "Resources",
                        principalColumn: "Surrogate",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DateIndex_End",
                table: "DateIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "End", "Start", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_DateIndex_Lookup",
                table: "DateIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Start", "End", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_DateIndex_Resource",
                table: "DateIndex",
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
                name: "IX_QuantityIndex_Lookup",
                table: "QuantityIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Code", "Low", "High", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_QuantityIndex_Resource",
                table: "QuantityIndex",
                columns: new[] { "ResourceSurrogate", "ParamName" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceIndex_Lookup",
                table: "ReferenceIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "TargetId", "TargetType", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceIndex_Resource",
                table: "ReferenceIndex",
                columns: new[] { "ResourceSurrogate", "ParamName" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferenceIndex_Url",
                table: "ReferenceIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Url", "Version", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_Resources_SystemHistory",
                table: "Resources",
                columns: new[] { "TenantId", "Surrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_Resources_TypeHistory",
                table: "Resources",
                columns: new[] { "TenantId", "ResourceType", "Surrogate" });

            migrationBuilder.CreateIndex(
                name: "UX_Resources_Current",
                table: "Resources",
                columns: new[] { "TenantId", "ResourceType", "ResourceId" },
                unique: true,
                filter: "[IsHistory] = 0");

            migrationBuilder.CreateIndex(
                name: "UX_Resources_Version",
                table: "Resources",
                columns: new[] { "TenantId", "ResourceType", "ResourceId", "VersionId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StringIndex_Lookup",
                table: "StringIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Normalized", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_StringIndex_Resource",
                table: "StringIndex",
                columns: new[] { "ResourceSurrogate", "ParamName" });

            migrationBuilder.CreateIndex(
                name: "IX_TokenIndex_Lookup",
                table: "TokenIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Code", "System", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_TokenIndex_Resource",
                table: "TokenIndex",
                columns: new[] { "ResourceSurrogate", "ParamName" });

            migrationBuilder.CreateIndex(
                name: "IX_UriIndex_Lookup",
                table: "UriIndex",
                columns: new[] { "TenantId", "ResourceType", "ParamName", "Uri", "Version", "ResourceSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_UriIndex_Resource",
                table: "UriIndex",
                columns: new[] { "ResourceSurrogate", "ParamName" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DateIndex");

            migrationBuilder.DropTable(
                name: "NumberIndex");

            migrationBuilder.DropTable(
                name: "QuantityIndex");

            migrationBuilder.DropTable(
                name: "ReferenceIndex");

            migrationBuilder.DropTable(
                name: "StringIndex");

            migrationBuilder.DropTable(
                name: "TokenIndex");

            migrationBuilder.DropTable(
                name: "UriIndex");

            migrationBuilder.DropTable(
                name: "Resources");
        }
    }
}
