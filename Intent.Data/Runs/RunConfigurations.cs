using Intent.Data.Audiences;
using Intent.Data.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Intent.Data.Runs;

internal sealed class AudienceRunConfiguration : IEntityTypeConfiguration<AudienceRun>
{
    public void Configure(EntityTypeBuilder<AudienceRun> run)
    {
        run.ToTable("audience_runs", t =>
        {
            t.HasCheckConstraint("ck_audience_runs_status", $"status IN ({RunStatus.Stored.AllList})");
            t.HasCheckConstraint("ck_audience_runs_run_type", "run_type IN ('manual', 'daily', 'preview')");
            t.HasCheckConstraint("ck_audience_runs_idempotency_key", "idempotency_key IS NULL OR char_length(idempotency_key) BETWEEN 1 AND 120");
        });
        run.HasKey(r => r.CorrelationId);
        run.Property(r => r.CorrelationId).HasColumnName("id");
        run.Property(r => r.Status)
            .HasConversion(new ValueConverter<string, string>(state => RunStatus.ToPublic(state), status => RunStatus.FromPublic(status)))
            .HasMaxLength(16);
        run.Property(r => r.RunType).HasConversion(new SnakeCaseEnumConverter<RunType>()).HasMaxLength(16);
        run.Property(r => r.Config).HasColumnType("jsonb");
        run.Property(r => r.ConfigHash).HasMaxLength(64).IsFixedLength();
        run.Property(r => r.ResultKey).HasMaxLength(64).IsFixedLength();
        run.Property(r => r.IdempotencyKey).HasMaxLength(120);
        run.Property(r => r.ErrorCode).HasMaxLength(64);
        run.HasOne<Audience>().WithMany().HasForeignKey(r => r.AudienceId).OnDelete(DeleteBehavior.Cascade);
        run.HasOne<Organization>().WithMany().HasForeignKey(r => r.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        run.HasIndex(r => new { r.AudienceId, r.CreatedAt });

        // The API's promises, kept by the database: one queued-or-running run per audience, one run per key.
        run.HasIndex(r => r.AudienceId).IsUnique().HasFilter($"status IN ({RunStatus.Stored.InFlightList})").HasDatabaseName("ux_audience_runs_in_flight");
        run.HasIndex(r => new { r.OrganizationId, r.IdempotencyKey }).IsUnique().HasFilter("idempotency_key IS NOT NULL")
            .HasDatabaseName("ux_audience_runs_idempotency_key");
        run.HasIndex(r => new { r.AudienceId, r.DataDate }).IsUnique().HasFilter("run_type = 'daily'").HasDatabaseName("ux_audience_runs_daily");

        // What the recovery sweep looks for: running runs by heartbeat, queued runs waiting for a retry.
        run.HasIndex(r => r.HeartbeatAt).HasFilter($"status = '{RunStatus.Stored.Running}'").HasDatabaseName("ix_audience_runs_running_heartbeat");
        run.HasIndex(r => r.NextAttemptAt).HasFilter($"status = '{RunStatus.Stored.Queued}' AND next_attempt_at IS NOT NULL").HasDatabaseName("ix_audience_runs_retry_due");

        // What the snapshot sweep asks of every old snapshot: does any run still use it?
        run.HasIndex(r => r.ResultKey).HasDatabaseName("ix_audience_runs_result_key");
    }
}

internal sealed class AudienceSnapshotConfiguration : IEntityTypeConfiguration<AudienceSnapshot>
{
    public void Configure(EntityTypeBuilder<AudienceSnapshot> snapshot)
    {
        snapshot.ToTable("audience_snapshots");
        snapshot.HasKey(s => s.ResultKey);
        snapshot.Property(s => s.ResultKey).HasMaxLength(64).IsFixedLength();
        snapshot.Property(s => s.Id).UseIdentityByDefaultColumn();
        snapshot.HasAlternateKey(s => s.Id);
        snapshot.Property(s => s.ConfigHash).HasMaxLength(64).IsFixedLength();
        snapshot.Property(s => s.Stats).HasColumnType("jsonb");
        snapshot.HasIndex(s => s.CreatedAt);
    }
}

internal sealed class DailyRunDateConfiguration : IEntityTypeConfiguration<DailyRunDate>
{
    public void Configure(EntityTypeBuilder<DailyRunDate> day)
    {
        day.ToTable("daily_run_dates");
        day.HasKey(d => d.DataDate);
    }
}
