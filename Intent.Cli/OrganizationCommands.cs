using System.Globalization;
using Intent.Data;
using Intent.Data.Audiences;
using Microsoft.EntityFrameworkCore;

namespace Intent.Cli;

/// <summary><c>org set --org NAME --slots N|default</c>: an organization's own number of active-audience slots.</summary>
public static class OrganizationCommands
{
    public const string Usage = "org set --org NAME --slots N|default";

    /// <summary>The most slots an organization can be given.</summary>
    public const int MaxSlots = 1_000_000;

    public static async Task<int> RunAsync(string connectionString, string[] args, TextWriter output, TextWriter error)
    {
        if (args is not ["set", .. var options])
        {
            await error.WriteLineAsync($"usage: {Usage}");
            return 2;
        }

        string? name = null;
        string? slotsText = null;
        for (var i = 0; i < options.Length; i++)
        {
            switch (options[i])
            {
                case "--org" when i + 1 < options.Length:
                    name = options[++i].Trim();
                    break;
                case "--slots" when i + 1 < options.Length:
                    slotsText = options[++i].Trim();
                    break;
                default:
                    await error.WriteLineAsync($"unexpected argument '{options[i]}'; usage: {Usage}");
                    return 2;
            }
        }

        int? slots = null;
        if (string.IsNullOrEmpty(name) || slotsText is null)
        {
            await error.WriteLineAsync($"usage: {Usage}");
            return 2;
        }

        if (slotsText != "default")
        {
            if (!int.TryParse(slotsText, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > MaxSlots)
            {
                await error.WriteLineAsync($"--slots must be a whole number from 0 to {MaxSlots}, or default");
                return 2;
            }

            slots = count;
        }

        await using var db = new IntentDbContext(IntentDataExtensions.CreateOptions(connectionString));
        var updated = await db.Organizations.Where(o => o.Name == name).ExecuteUpdateAsync(o => o.SetProperty(x => x.AudienceSlots, slots));
        if (updated == 0)
        {
            await error.WriteLineAsync($"no organization named '{name}' (token create --org NAME makes one)");
            return 1;
        }

        var active = await db.Audiences.Join(db.Organizations.Where(o => o.Name == name), a => a.OrganizationId, o => o.Id, (a, _) => a)
            .CountAsync(a => a.Status == AudienceStatus.Active);
        await output.WriteLineAsync(slots is { } limit
            ? $"organization {name}: {limit} active-audience slots, {active} in use"
            : $"organization {name}: the default number of active-audience slots (Audiences__DefaultSlots, 25 unless set), {active} in use");
        if (active > slots)
        {
            await output.WriteLineAsync("audiences already active stay active; no more can be activated until fewer than the slots are");
        }

        return 0;
    }
}
