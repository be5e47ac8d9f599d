using Intent.Data.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intent.Data.Webhooks;

internal sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> webhook)
    {
        webhook.ToTable("webhooks", t =>
        {
            t.HasCheckConstraint("ck_webhooks_events", "cardinality(events) >= 1");
            t.HasCheckConstraint("ck_webhooks_consecutive_failures", "consecutive_failures >= 0");
        });
        webhook.HasKey(w => w.Id);
        webhook.Property(w => w.Url).HasMaxLength(2048);
        webhook.Property(w => w.Description).HasMaxLength(500);
        webhook.Property(w => w.Secret).HasMaxLength(64);
        webhook.Property(w => w.PreviousSecret).HasMaxLength(64);
        webhook.Property(w => w.DisabledReason).HasMaxLength(500);
        webhook.HasOne<Organization>().WithMany().HasForeignKey(w => w.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        webhook.HasIndex(w => w.OrganizationId);
    }
}

internal sealed class WebhookEventConfiguration : IEntityTypeConfiguration<WebhookEvent>
{
    public void Configure(EntityTypeBuilder<WebhookEvent> webhookEvent)
    {
        webhookEvent.ToTable("webhook_events");
        webhookEvent.HasKey(e => e.Id);
        webhookEvent.Property(e => e.Type).HasMaxLength(32);
        webhookEvent.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        webhookEvent.HasIndex(e => e.OrganizationId);

        // The retention sweep takes the oldest events first.
        webhookEvent.HasIndex(e => e.CreatedAt);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> delivery)
    {
        delivery.ToTable("webhook_deliveries", t =>
        {
            t.HasCheckConstraint("ck_webhook_deliveries_status", "status IN ('pending', 'delivered', 'failed')");
            t.HasCheckConstraint("ck_webhook_deliveries_attempts", "attempts >= 0");
        });
        delivery.HasKey(d => d.Id);

        // Room on each page, so that claiming a delivery and recording its outcome (no indexed column) are HOT updates, writing no index.
        delivery.HasStorageParameter("fillfactor", 50);
        delivery.Property(d => d.EventType).HasMaxLength(32);
        delivery.Property(d => d.Status).HasMaxLength(16);
        delivery.Property(d => d.LastError).HasMaxLength(500);
        delivery.Property(d => d.TraceParent).HasMaxLength(64);
        delivery.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
        delivery.HasOne<WebhookEvent>().WithMany().HasForeignKey(d => d.EventId).OnDelete(DeleteBehavior.Cascade);

        // Nothing doubled: an event has at most one delivery per webhook, however often it is fanned out.
        delivery.HasIndex(d => new { d.EventId, d.WebhookId }).IsUnique().HasDatabaseName("ux_webhook_deliveries_event_webhook");

        // The delivery log of one webhook, newest first.
        delivery.HasIndex(d => new { d.WebhookId, d.CreatedAt, d.Id }).IsDescending(false, true, true).HasDatabaseName("ix_webhook_deliveries_log");
    }
}

internal sealed class WebhookDueDeliveryConfiguration : IEntityTypeConfiguration<WebhookDueDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDueDelivery> due)
    {
        due.ToTable("webhook_due_deliveries", t => t.HasCheckConstraint("ck_webhook_due_deliveries_attempts", "attempts >= 0"));
        due.HasKey(q => q.DeliveryId);

        // A claim changes only the lease and the attempts, not indexed: a HOT update when its page has room.
        due.HasStorageParameter("fillfactor", 50);
        due.HasOne<WebhookDelivery>().WithOne().HasForeignKey<WebhookDueDelivery>(q => q.DeliveryId).OnDelete(DeleteBehavior.Cascade);

        // The delivery loop claims pending deliveries by when they are due.
        due.HasIndex(q => q.NextAttemptAt).HasDatabaseName("ix_webhook_due_deliveries_next_attempt_at");
    }
}
