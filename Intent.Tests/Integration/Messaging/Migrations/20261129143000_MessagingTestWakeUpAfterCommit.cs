using Intent.Messaging.Configuration;
using Intent.Tests.Integration.Messaging.Support;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Tests.Integration.Messaging.Migrations
{
    /// <summary>The test schema follows the library: relays are woken after the commit, not by a trigger.</summary>
    [DbContext(typeof(MessagingTestDbContext))]
    [Migration("20261129143000_MessagingTestWakeUpAfterCommit")]
    public partial class MessagingTestWakeUpAfterCommit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.DropOutboxNotifyTrigger("messaging_tests");

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.CreateOutboxNotifyTrigger("messaging_tests");
    }
}
