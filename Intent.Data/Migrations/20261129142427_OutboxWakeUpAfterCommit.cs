using Intent.Messaging.Configuration;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class OutboxWakeUpAfterCommit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Relays are woken after the commit by the writing process (OutboxWakeUp), not by a NOTIFY inside
            // every writing transaction, whose commit would take PostgreSQL's database-wide notify lock.
            migrationBuilder.DropOutboxNotifyTrigger();
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateOutboxNotifyTrigger();
        }
    }
}
