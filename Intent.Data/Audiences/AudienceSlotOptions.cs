namespace Intent.Data.Audiences;

/// <summary>Active-audience slots (configuration section <c>Audiences</c>).</summary>
public sealed class AudienceSlotOptions
{
    public const string SectionName = "Audiences";

    /// <summary>
    /// How many audiences an organization may have active at once unless <c>intent org set --slots</c>
    /// gave it its own number. Read when the host starts; organizations without an override follow it.
    /// </summary>
    public int DefaultSlots { get; set; } = 25;
}
