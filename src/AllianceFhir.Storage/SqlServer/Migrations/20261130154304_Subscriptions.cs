using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AllianceFhir.Storage.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class Subscriptions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DispatchLeases",
                columns: table => new
                {
                    Name = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Owner = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Until = table.Column<DateTime>(type: "datetime2", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DispatchLeases", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "SubscriptionOutbox",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    TenantId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    SubscriptionId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    ResourceType = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    ResourceId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    VersionId = table.Column<int>(type: "int", nullable: false),
                    Context = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    DeliveredAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    EventNumber = table.Column<long>(type: "bigint", nullable: true),
                    Attempts = table.Column<int>(type: "int", nullable: false),
                    LastError = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SubscriptionOutbox", x => x.Sequence);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SubscriptionOutbox_DeliveredAt_TenantId_SubscriptionId",
                table: "SubscriptionOutbox",
                columns: new[] { "DeliveredAt", "TenantId", "SubscriptionId" });

            migrationBuilder.CreateIndex(
                name: "IX_SubscriptionOutbox_TenantId_SubscriptionId_DeliveredAt_Sequence",
                table: "SubscriptionOutbox",
                columns: new[] { "TenantId", "SubscriptionId", "DeliveredAt", "Sequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DispatchLeases");

            migrationBuilder.DropTable(
                name: "SubscriptionOutbox");
        }
    }
}
