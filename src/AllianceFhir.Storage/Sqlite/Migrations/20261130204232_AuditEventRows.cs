using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AllianceFhir.Storage.Sqlite.Migrations
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
                    AuditSurrogate = table.Column<long>(type: "INTEGER", nullable: false),
                    TargetType = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TargetId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEventTargets", x => new { x.AuditSurrogate, x.TargetType, x.TargetId });
                });

            migrationBuilder.CreateTable(
                name: "AuditEvents",
                columns: table => new
                {
                    Surrogate = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    EventId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Recorded = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastUpdated = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Subtype = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 1, nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    ClientId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Address = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Entities = table.Column<string>(type: "TEXT", nullable: true),
                    Query = table.Column<string>(type: "TEXT", nullable: true),
                    Patients = table.Column<string>(type: "TEXT", nullable: true)
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
            migrationBuilder.Sql(AuditEventMove.CreateTableSql(sqlServer: false));
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
