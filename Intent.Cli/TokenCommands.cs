using System.CommandLine;
using System.Globalization;
using Intent.Data;
using Intent.Data.Organizations;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;

namespace Intent.Cli;

/// <summary>
/// <c>token create --org NAME [--kind dashboard|api-key] [--expires-in DURATION]</c> (the token is printed once, as the last line),
/// <c>token list --org NAME</c> and <c>token revoke PREFIX [--org NAME]</c>.
/// </summary>
public static class TokenCommands
{
    public static Task<int> RunAsync(string connectionString, string[] args, TextWriter output, TextWriter error) =>
        CliApp.InvokeAsync(Create(connectionString), args, output, error);

    public static Command Create(string? connectionString) => new("token", "An organization's API tokens: create, list and revoke them.")
    {
        CreateCommand(connectionString),
        ListCommand(connectionString),
        RevokeCommand(connectionString),
    };

    private static Command CreateCommand(string? connectionString)
    {
        var organization = CliOptions.Organization("The organization the token is for; it is created when it does not exist yet.");
        var kind = new Option<string>("--kind")
        {
            Description = "dashboard: sent as Authorization: Bearer; api-key: sent as x-api-key.",
            DefaultValueFactory = _ => "dashboard",
        }.AcceptOnlyFromAmong("dashboard", "api-key");
        var expiresIn = new Option<TimeSpan?>("--expires-in")
        {
            Description = $"How long the token is valid: 30d, 12h, 45m, 90s or d.hh:mm:ss (at most {Durations.Longest.TotalDays:0} days) [default: it does not expire].",
            HelpName = "DURATION",
            CustomParser = result => Durations.TryParse(result.Tokens[^1].Value, out var duration)
                ? duration
                : CliOptions.Fail<TimeSpan?>(result,
                    $"--expires-in must be a positive duration such as 30d, 12h, 45m or 1.12:00:00 (at most {Durations.Longest.TotalDays:0} days)"),
        };
        var command = new Command("create", "Create a token and print it once, as the last line of the output.") { organization, kind, expiresIn };
        command.SetDatabaseAction(connectionString, (result, database, cancellationToken) => CreateAsync(
            database,
            result.GetRequiredValue(organization),
            result.GetValue(kind) == "api-key" ? TokenKind.ApiKey : TokenKind.Dashboard,
            result.GetValue(expiresIn),
            result.InvocationConfiguration.Output,
            cancellationToken));
        return command;
    }

    private static Command ListCommand(string? connectionString)
    {
        var organization = CliOptions.Organization("The organization whose tokens to list.");
        var command = new Command("list", "List an organization's tokens: prefix, kind, created, last used, expires, revoked.") { organization };
        command.SetDatabaseAction(connectionString, (result, database, cancellationToken) =>
            ListAsync(database, result.GetRequiredValue(organization), result.InvocationConfiguration, cancellationToken));
        return command;
    }

    private static Command RevokeCommand(string? connectionString)
    {
        var prefix = new Argument<string>("PREFIX")
        {
            Description = "The token's prefix as token list shows it, or the whole token.",
            CustomParser = result => result.Tokens[^1].Value.Trim() is { Length: > 0 } value ? value : CliOptions.Fail<string>(result, "PREFIX must not be empty"),
        };
        var organization = CliOptions.Organization("The token's organization, when the prefix alone matches several tokens.", required: false);
        var command = new Command("revoke", "Revoke a token; API processes refuse it within Auth__TokenCacheTtl (default 5 s).") { prefix, organization };
        command.SetDatabaseAction(connectionString, (result, database, cancellationToken) =>
            RevokeAsync(database, result.GetRequiredValue(prefix), result.GetValue(organization), result.InvocationConfiguration, cancellationToken));
        return command;
    }

    private static async Task<int> CreateAsync(
        string connectionString, string organizationName, TokenKind kind, TimeSpan? expiresIn, TextWriter output, CancellationToken cancellationToken)
    {
        await using var db = new IntentDbContext(IntentDataExtensions.CreateOptions(connectionString));
        var now = DateTime.UtcNow;
        // Creating the organization when missing is one statement, so two commands at once cannot make two.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO organizations (id, name, created_at) VALUES ({Guid.CreateVersion7()}, {organizationName}, {now}) ON CONFLICT (name) DO NOTHING",
            cancellationToken);
        var organization = await db.Organizations.SingleAsync(o => o.Name == organizationName, cancellationToken);

        var (token, row) = Tokens.Create(organization.Id, kind, now);
        row.ExpiresAt = now + expiresIn;
        db.ApiTokens.Add(row);
        await db.SaveChangesAsync(cancellationToken);

        await output.WriteLineAsync($"organization {organization.Name} ({organization.Id}); {(kind == TokenKind.ApiKey ? "API key: send as x-api-key" : "dashboard token: send as Authorization: Bearer")}; "
            + (row.ExpiresAt is { } expiresAt ? $"expires {Format(expiresAt)}" : "does not expire"));
        await output.WriteLineAsync(token);
        return 0;
    }

    private static async Task<int> ListAsync(string connectionString, string name, InvocationConfiguration streams, CancellationToken cancellationToken)
    {
        await using var db = new IntentDbContext(IntentDataExtensions.CreateOptions(connectionString));
        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Name == name, cancellationToken);
        if (organization is null)
        {
            await streams.Error.WriteLineAsync($"no organization named '{name}'");
            return 1;
        }

        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.OrganizationId == organization.Id)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.DisplayPrefix).ToListAsync(cancellationToken);
        if (tokens.Count == 0)
        {
            await streams.Output.WriteLineAsync($"organization {organization.Name} has no tokens");
            return 0;
        }

        var now = DateTime.UtcNow;
        var table = new Table().Border(TableBorder.None);
        string[] header = ["PREFIX", "KIND", "CREATED", "LAST USED", "EXPIRES", "REVOKED"];
        foreach (var (title, i) in header.Select((title, i) => (title, i)))
        {
            table.AddColumn(new TableColumn(new Text(title, new Style(decoration: Decoration.Bold))).Padding(0, 0, i < header.Length - 1 ? 2 : 0, 0));
        }

        foreach (var t in tokens)
        {
            table.AddRow(
                new Text(t.DisplayPrefix),
                new Text(t.Kind == TokenKind.ApiKey ? "api-key" : "dashboard"),
                new Text(Format(t.CreatedAt)),
                new Text(t.LastUsedAt is { } used ? Format(used) : "never"),
                new Text(t.ExpiresAt is { } expires ? Format(expires) + (expires <= now ? " (expired)" : "") : "never"),
                new Text(t.RevokedAt is { } revoked ? Format(revoked) : "-"));
        }

        var console = Terminal.For(streams.Output);
        // One line per token on a narrow terminal too: prefixes and dates are read and copied from here.
        console.Profile.Width = Terminal.UnboundedWidth;
        console.Write(table);
        return 0;
    }

    private static async Task<int> RevokeAsync(
        string connectionString, string prefix, string? organizationName, InvocationConfiguration streams, CancellationToken cancellationToken)
    {
        var hash = Tokens.Hash(prefix);
        await using var db = new IntentDbContext(IntentDataExtensions.CreateOptions(connectionString));
        var matches = await db.ApiTokens.AsNoTracking()
            .Where(t => t.DisplayPrefix == prefix || t.TokenHash == hash)
            .Join(db.Organizations, t => t.OrganizationId, o => o.Id, (t, o) => new { t.Id, t.DisplayPrefix, t.RevokedAt, Organization = o.Name })
            .Where(t => organizationName == null || t.Organization == organizationName)
            .ToListAsync(cancellationToken);
        switch (matches.Count)
        {
            case 0:
                await streams.Error.WriteLineAsync($"no token with prefix '{prefix}'{(organizationName is null ? "" : $" in organization '{organizationName}'")}; see token list --org NAME");
                return 1;
            case > 1:
                await streams.Error.WriteLineAsync($"prefix '{prefix}' matches {matches.Count} tokens (organizations {string.Join(", ", matches.Select(m => m.Organization).Distinct())}); add --org NAME");
                return 1;
        }

        var match = matches[0];
        if (match.RevokedAt is { } already)
        {
            await streams.Output.WriteLineAsync($"token {match.DisplayPrefix} of {match.Organization} was already revoked at {Format(already)}");
            return 0;
        }

        var now = DateTime.UtcNow;
        await db.ApiTokens.Where(t => t.Id == match.Id && t.RevokedAt == null).ExecuteUpdateAsync(t => t.SetProperty(x => x.RevokedAt, now), cancellationToken);
        await streams.Output.WriteLineAsync($"revoked token {match.DisplayPrefix} of {match.Organization}; API processes refuse it within Auth__TokenCacheTtl (default 5 s)");
        return 0;
    }

    private static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
