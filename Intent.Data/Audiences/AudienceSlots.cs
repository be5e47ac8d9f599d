using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Intent.Data.Audiences;

/// <summary>
/// An organization may have <c>organizations.audience_slots</c> active audiences, or, when that is
/// null, the writing session's <see cref="DefaultSlotsSetting"/>. The trigger <c>audiences_slots</c>
/// checks every insert of an active audience and every change of an audience to active: it locks the
/// organization's row first, so concurrent activations of one organization count one after another,
/// and raises <see cref="SqlState"/> when no slot is free.
/// </summary>
public static partial class AudienceSlots
{
    /// <summary>The SQLSTATE the trigger raises when every slot is in use.</summary>
    public const string SqlState = "IN001";

    /// <summary>The session setting that carries the host's default to the trigger.</summary>
    public const string DefaultSlotsSetting = "intent.default_audience_slots";

    /// <summary>The connection string with the default slot count set for every session it opens.</summary>
    public static string WithDefaultSlots(string connectionString, int defaultSlots)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = $"{builder.Options} -c {DefaultSlotsSetting}={defaultSlots.ToString(CultureInfo.InvariantCulture)}".Trim();
        return builder.ConnectionString;
    }

    /// <summary>Whether <paramref name="exception"/> (or one it wraps) is the trigger refusing an activation; <paramref name="slots"/> is the limit it applied.</summary>
    public static bool IsSlotsFull(Exception exception, out int? slots)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is PostgresException { SqlState: SqlState } full)
            {
                var match = SlotCount().Match(full.MessageText);
                slots = match.Success && int.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var count) ? count : null;
                return true;
            }
        }

        slots = null;
        return false;
    }

    [GeneratedRegex(@"^all (\d+) active-audience slots")]
    private static partial Regex SlotCount();
}
