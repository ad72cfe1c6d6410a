using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AllianceFhir.Storage.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class AuditEventRows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AuditEventTargets",
                columns: table => new
                {
                    AuditSurrogate = table.Column<long>(type: "bigint", nullable: false),
                    TargetType = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    TargetId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    TenantId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEventTargets", x => new { x.AuditSurrogate, x.TargetType, x.TargetId });
                });

            migrationBuilder.CreateTable(
                name: "AuditEvents",
                columns: table => new
                {
                    Surrogate = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    TenantId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    EventId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Recorded = table.Column<DateTime>(type: "datetime2", nullable: false),
                    LastUpdated = table.Column<DateTime>(type: "datetime2", nullable: false),
                    Subtype = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    Action = table.Column<string>(type: "nvarchar(1)", maxLength: 1, nullable: false),
                    Outcome = table.Column<string>(type: "nvarchar(2)", maxLength: 2, nullable: false),
                    UserId = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    ClientId = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    Address = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    Entities = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    Query = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    Patients = table.Column<string>(type: "nvarchar(max)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEvents", x => x.Surrogate);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEventTargets_Target",
                table: "AuditEventTargets",
                columns: new[] { "TenantId", "TargetType", "TargetId", "AuditSurrogate" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Recorded",
                table: "AuditEvents",
                columns: new[] { "TenantId", "Recorded" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_User",
                table: "AuditEvents",
                columns: new[] { "TenantId", "UserId", "Recorded" });

            migrationBuilder.CreateIndex(
                name: "UX_AuditEvents_Id",
                table: "AuditEvents",
                columns: new[] { "TenantId", "EventId" },
                unique: true);

            // Existing AuditEvent resources are moved into the new table by FhirDatabase's data step (reading their JSON
            // needs C#); this table marks that step as still to do.
            migrationBuilder.Sql(AuditEventMove.CreateTableSql(sqlServer: true));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Rows written since the upgrade are not turned back into resources: downgrading drops the audit trail since then.
            migrationBuilder.Sql(AuditEventMove.DropTableSql);

            migrationBuilder.DropTable(
                name: "AuditEventTargets");

            migrationBuilder.DropTable(
                name: "AuditEvents");
        }
    }
}
