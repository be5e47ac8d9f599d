using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intent.Data.Migrations
{
    /// <inheritdoc />
    public partial class PipelineJobTypes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The Quartz jobs moved from the worker executable to the Intent.Pipeline library: stored jobs
            // (retry timers of waiting runs among them) name their type, so they are renamed with it.
            migrationBuilder.Sql(
                """
                UPDATE qrtz_job_details
                SET job_class_name = regexp_replace(job_class_name, '^Intent\.Worker\.Scheduling\.(\w+), Intent\.Worker$', 'Intent.Pipeline.Scheduling.\1, Intent.Pipeline')
                WHERE job_class_name LIKE 'Intent.Worker.Scheduling.%';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                """
                UPDATE qrtz_job_details
                SET job_class_name = regexp_replace(job_class_name, '^Intent\.Pipeline\.Scheduling\.(\w+), Intent\.Pipeline$', 'Intent.Worker.Scheduling.\1, Intent.Worker')
                WHERE job_class_name LIKE 'Intent.Pipeline.Scheduling.%';
                """);
        }
    }
}
