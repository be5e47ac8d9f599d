using System.Globalization;
using Intent.Data;
using Intent.Data.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Intent.Cli;

/// <summary>
/// <c>token create --org NAME [--kind dashboard|api-key] [--expires-in D]</c> (the token is printed once, as the last line),
/// <c>token list --org NAME</c> and <c>token revoke PREFIX [--org NAME]</c>.
/// </summary>
public static class TokenCommands
{
    public const string Usage = "token create --org NAME [--kind dashboard|api-key] [--expires-in 30d|12h|45m|d.hh:mm:ss] | token list --org NAME | token revoke PREFIX [--org NAME]";

    public static async Task<int> RunAsync(string connectionString, string[] args, TextWriter output, TextWriter error)
    {
        switch (args.FirstOrDefault())
        {
            case "create":
                return await CreateAsync(connectionString, args[1..], output, error);
            case "list":
                return await ListAsync(connectionString, args[1..], output, error);
            case "revoke":
                return await RevokeAsync(connectionString, args[1..], output, error);
            default:
                await error.WriteLineAsync($"usage: {Usage}");
                return 2;
        }
    }

    public static async Task<int> CreateAsync(string connectionString, string[] args, TextWriter output, TextWriter error)
    {
        string? organizationName = null;
        var kind = TokenKind.Dashboard;
        TimeSpan? expiresIn = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--org" when i + 1 < args.Length:
                    organizationName = args[++i].Trim();
                    break;
                case "--kind" when i + 1 < args.Length:
                    var value = args[++i];
                    if (value is not ("dashboard" or "api-key"))
                    {
                        await error.WriteLineAsync("--kind must be dashboard or api-key");
                        return 2;
                    }

                    kind = value == "api-key" ? TokenKind.ApiKey : TokenKind.Dashboard;
                    break;
                case "--expires-in" when i + 1 < args.Length:
                    if (!Durations.TryParse(args[++i], out var duration))
                    {
                        await error.WriteLineAsync($"--expires-in must be a positive duration such as 30d, 12h, 45m or 1.12:00:00 (at most {Durations.Longest.TotalDays:0} days)");
                        return 2;
                    }

                    expiresIn = duration;
                    break;
                default:
                    await error.WriteLineAsync($"unexpected argument '{args[i]}'; usage: token create --org NAME [--kind dashboard|api-key] [--expires-in D]");
                    return 2;
            }
        }

        if (!ValidOrganizationName(organizationName))
        {
            await error.WriteLineAsync("--org NAME is required (1 to 255 characters)");
            return 2;
        }

        await using var db = new IntentDbContext(IntentDataExtensions.CreateOptions(connectionString));
        var now = DateTime.UtcNow;
        // Creating the organization when missing is one statement, so two commands at once cannot make two.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO organizations (id, name, created_at) VALUES ({Guid.CreateVersion7()}, {organizationName}, {now}) ON CONFLICT (name) DO NOTHING");
        var organization = await db.Organizations.SingleAsync(o => o.Name == organizationName);

        var (token, row) = Tokens.Create(organization.Id, kind, now);
        row.ExpiresAt = now + expiresIn;
        db.ApiTokens.Add(row);
        await db.SaveChangesAsync();

        await output.WriteLineAsync($"organization {organization.Name} ({organization.Id}); {(kind == TokenKind.ApiKey ? "API key: send as x-api-key" : "dashboard token: send as Authorization: Bearer")}; "
            + (row.ExpiresAt is { } expiresAt ? $"expires {Format(expiresAt)}" : "does not expire"));
        await output.WriteLineAsync(token);
        return 0;
    }

    public static async Task<int> ListAsync(string connectionString, string[] args, TextWriter output, TextWriter error)
    {
        if (args is not ["--org", var name] || !ValidOrganizationName(name.Trim()))
        {
            await error.WriteLineAsync("usage: token list --org NAME");
            return 2;
        }

        name = name.Trim();
        await using var db = new IntentDbContext(IntentDataExtensions.CreateOptions(connectionString));
        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Name == name);
        if (organization is null)
        {
            await error.WriteLineAsync($"no organization named '{name}'");
            return 1;
        }

        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.OrganizationId == organization.Id)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.DisplayPrefix).ToListAsync();
        if (tokens.Count == 0)
        {
            await output.WriteLineAsync($"organization {organization.Name} has no tokens");
            return 0;
        }

        var now = DateTime.UtcNow;
        string[] header = ["PREFIX", "KIND", "CREATED", "LAST USED", "EXPIRES", "REVOKED"];
        var rows = tokens.Select(t => new[]
        {
            t.DisplayPrefix,
            t.Kind == TokenKind.ApiKey ? "api-key" : "dashboard",
            Format(t.CreatedAt),
            t.LastUsedAt is { } used ? Format(used) : "never",
            t.ExpiresAt is { } expires ? Format(expires) + (expires <= now ? " (expired)" : "") : "never",
            t.RevokedAt is { } revoked ? Format(revoked) : "-",
        }).ToList();
        var widths = header.Select((h, i) => rows.Max(r => r[i].Length) is var width && width > h.Length ? width : h.Length).ToArray();
        foreach (var line in rows.Prepend(header))
        {
            await output.WriteLineAsync(string.Join("  ", line.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }

        return 0;
    }

    public static async Task<int> RevokeAsync(string connectionString, string[] args, TextWriter output, TextWriter error)
    {
        var (prefix, organizationName) = args switch
        {
            [var p] => (p, null),
            [var p, "--org", var o] => (p, o.Trim()),
            ["--org", var o, var p] => (p, o.Trim()),
            _ => ((string?)null, (string?)null),
        };
        if (string.IsNullOrWhiteSpace(prefix) || prefix.StartsWith("--", StringComparison.Ordinal))
        {
            await error.WriteLineAsync("usage: token revoke PREFIX [--org NAME]   (PREFIX as token list shows it, or the whole token)");
            return 2;
        }

        prefix = prefix.Trim();
        var hash = Tokens.Hash(prefix);
        await using var db = new IntentDbContext(IntentDataExtensions.CreateOptions(connectionString));
        var matches = await db.ApiTokens.AsNoTracking()
            .Where(t => t.DisplayPrefix == prefix || t.TokenHash == hash)
            .Join(db.Organizations, t => t.OrganizationId, o => o.Id, (t, o) => new { t.Id, t.DisplayPrefix, t.RevokedAt, Organization = o.Name })
            .Where(t => organizationName == null || t.Organization == organizationName)
            .ToListAsync();
        switch (matches.Count)
        {
            case 0:
                await error.WriteLineAsync($"no token with prefix '{prefix}'{(organizationName is null ? "" : $" in organization '{organizationName}'")}; see token list --org NAME");
                return 1;
            case > 1:
                await error.WriteLineAsync($"prefix '{prefix}' matches {matches.Count} tokens (organizations {string.Join(", ", matches.Select(m => m.Organization).Distinct())}); add --org NAME");
                return 1;
        }

        var match = matches[0];
        if (match.RevokedAt is { } already)
        {
            await output.WriteLineAsync($"token {match.DisplayPrefix} of {match.Organization} was already revoked at {Format(already)}");
            return 0;
        }

        var now = DateTime.UtcNow;
        await db.ApiTokens.Where(t => t.Id == match.Id && t.RevokedAt == null).ExecuteUpdateAsync(t => t.SetProperty(x => x.RevokedAt, now));
        await output.WriteLineAsync($"revoked token {match.DisplayPrefix} of {match.Organization}; API processes refuse it within Auth__TokenCacheTtl (default 5 s)");
        return 0;
    }

    private static bool ValidOrganizationName(string? name) => !string.IsNullOrEmpty(name) && name.Length <= 255;

    private static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
