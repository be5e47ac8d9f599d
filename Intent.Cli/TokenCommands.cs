using Intent.Data;
using Intent.Data.Organizations;
using Microsoft.EntityFrameworkCore;

namespace Intent.Cli;

/// <summary><c>token create --org NAME [--kind dashboard|api-key]</c>: the token is printed once, as the last line.</summary>
public static class TokenCommands
{
    public static async Task<int> CreateAsync(string connectionString, string[] args)
    {
        string? organizationName = null;
        var kind = TokenKind.Dashboard;
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
                        await Console.Error.WriteLineAsync("--kind must be dashboard or api-key");
                        return 2;
                    }

                    kind = value == "api-key" ? TokenKind.ApiKey : TokenKind.Dashboard;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"unexpected argument '{args[i]}'; usage: token create --org NAME [--kind dashboard|api-key]");
                    return 2;
            }
        }

        if (string.IsNullOrEmpty(organizationName) || organizationName.Length > 255)
        {
            await Console.Error.WriteLineAsync("--org NAME is required (1 to 255 characters)");
            return 2;
        }

        await using var db = new IntentDbContext(IntentDataExtensions.CreateOptions(connectionString));
        var now = DateTime.UtcNow;
        // Creating the organization when missing is one statement, so two commands at once cannot make two.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO organizations (id, name, created_at) VALUES ({Guid.CreateVersion7()}, {organizationName}, {now}) ON CONFLICT (name) DO NOTHING");
        var organization = await db.Organizations.SingleAsync(o => o.Name == organizationName);

        var (token, row) = Tokens.Create(organization.Id, kind, now);
        db.ApiTokens.Add(row);
        await db.SaveChangesAsync();

        await Console.Out.WriteLineAsync($"organization {organization.Name} ({organization.Id}); {(kind == TokenKind.ApiKey ? "API key: send as x-api-key" : "dashboard token: send as Authorization: Bearer")}");
        await Console.Out.WriteLineAsync(token);
        return 0;
    }
}
