using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AllianceFhir.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SubscriptionOutboxPurge : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_SubscriptionOutbox_TenantId_SubscriptionId_EventNumber",
                table: "SubscriptionOutbox",
                columns: new[] { "TenantId", "SubscriptionId", "EventNumber" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_SubscriptionOutbox_TenantId_SubscriptionId_EventNumber",
                table: "SubscriptionOutbox");
        }
    }
}
