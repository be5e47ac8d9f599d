using System.CommandLine;
using System.Globalization;
using Intent.Data;
using Intent.Data.Audiences;
using Microsoft.EntityFrameworkCore;

namespace Intent.Cli;

/// <summary><c>org set --org NAME --slots N|default</c>: an organization's own number of active-audience slots.</summary>
public static class OrganizationCommands
{
    /// <summary>The most slots an organization can be given.</summary>
    public const int MaxSlots = 1_000_000;

    public static Task<int> RunAsync(string connectionString, string[] args, TextWriter output, TextWriter error) =>
        CliApp.InvokeAsync(Create(connectionString), args, output, error);

    public static Command Create(string? connectionString)
    {
        var organization = CliOptions.Organization("The organization's name.");
        var slots = new Option<Slots>("--slots")
        {
            Description = "How many audiences it may have active at once, or default for Audiences__DefaultSlots (25 unless set).",
            HelpName = "N|default",
            Required = true,
            CustomParser = result => result.Tokens[^1].Value.Trim() switch
            {
                "default" => new Slots(null),
                var text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= MaxSlots => new Slots(count),
                _ => CliOptions.Fail<Slots>(result, $"--slots must be a whole number from 0 to {MaxSlots}, or default"),
            },
        };
        var set = new Command("set", "Set an organization's number of active-audience slots.") { organization, slots };
        set.SetDatabaseAction(connectionString, (result, database, cancellationToken) =>
            SetAsync(database, result.GetRequiredValue(organization), result.GetRequiredValue(slots).Count, result.InvocationConfiguration, cancellationToken));
        return new Command("org", "An organization's settings.") { set };
    }

    private static async Task<int> SetAsync(string connectionString, string name, int? slots, InvocationConfiguration streams, CancellationToken cancellationToken)
    {
        await using var db = new IntentDbContext(IntentDataExtensions.CreateOptions(connectionString));
        var updated = await db.Organizations.Where(o => o.Name == name)
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.AudienceSlots, slots), cancellationToken);
        if (updated == 0)
        {
            await streams.Error.WriteLineAsync($"no organization named '{name}' (token create --org NAME makes one)");
            return 1;
        }

        var active = await db.Audiences.Join(db.Organizations.Where(o => o.Name == name), a => a.OrganizationId, o => o.Id, (a, _) => a)
            .CountAsync(a => a.Status == AudienceStatus.Active, cancellationToken);
        await streams.Output.WriteLineAsync(slots is { } limit
            ? $"organization {name}: {limit} active-audience slots, {active} in use"
            : $"organization {name}: the default number of active-audience slots (Audiences__DefaultSlots, 25 unless set), {active} in use");
        if (active > slots)
        {
            await streams.Output.WriteLineAsync("audiences already active stay active; no more can be activated until fewer than the slots are");
        }

        return 0;
    }

    // A parser's null means "no value" to System.CommandLine, so "default" needs a value of its own.
    private sealed record Slots(int? Count);
}
