namespace Intent.Pipeline.Webhooks;

/// <summary>What a claimed delivery came to.</summary>
public enum DeliveryOutcomeKind
{
    /// <summary>A 2xx: delivered, never sent again.</summary>
    Delivered,

    /// <summary>A failure worth another attempt, and the schedule has one: pending until its next attempt is due.</summary>
    Retry,

    /// <summary>Failed for good: a permanent answer, or the schedule is used up.</summary>
    Failed,

    /// <summary>Not sent: its webhook was disabled meanwhile. Failed, without counting an attempt.</summary>
    Disabled,

    /// <summary>Not sent: the loop stopped, or the claim's lease ran short before a sender was free. Due again at once, the attempt not counted.</summary>
    Released,
}
