using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Intent.Pipeline.Exports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Intent.Tests.Unit;

public sealed partial class SigningKeysTests
{
    // This file's samples of how keys get written would be found by the scan: it checks every other file.
    private const string ThisFile = "SigningKeysTests.cs";

    private static readonly string[] ScannedExtensions = [".cs", ".json", ".yml", ".yaml", ".md", ".props", ".sh", ".env", ".example"];
    private static readonly string[] ScannedNames = ["intent", "Dockerfile", "run", ".env"];
    private static readonly string[] SkippedDirectories = [".git", "bin", "obj", ".intent", "node_modules", "TestResults"];

    [Theory]
    [InlineData("change-me-to-a-secret-of-32-or-more-characters")]
    [InlineData("test-signing-key-of-at-least-32-characters")]
    public void A_host_refuses_a_signing_key_that_appeared_in_the_repository(string key)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Options(key));
        Assert.Contains("appeared in Intent's repository", error.Message, StringComparison.Ordinal);
        Assert.True(PublishedSigningKeys.Contains(key));
    }

    [Fact]
    public void A_host_takes_a_signing_key_of_its_own()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

        Assert.Equal(key, Options(key).SigningKey);
        Assert.False(PublishedSigningKeys.Contains(key));
        Assert.Throws<OptionsValidationException>(() => Options(key[..31]));
    }

    [Fact]
    public void Every_signing_key_written_in_the_repository_is_one_the_hosts_refuse()
    {
        var root = RepositoryRoot();
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).SkipLast(1).Any(SkippedDirectories.Contains))
            .Where(f => ScannedExtensions.Contains(Path.GetExtension(f)) || ScannedNames.Contains(Path.GetFileName(f)))
            .Where(f => Path.GetFileName(f) != ThisFile)
            .ToList();
        var names = files.Select(f => Path.GetRelativePath(root, f)).ToList();
        Assert.Contains("docker-compose.yml", names);
        Assert.Contains("README.md", names);
        Assert.Contains("intent", names);
        Assert.Contains(Path.Combine("Intent.Api", "appsettings.json"), names);
        Assert.Contains(Path.Combine("Intent.Tests", "Integration", "TestSettings.cs"), names);

        var accepted = files
            .SelectMany(f => WrittenKeys(File.ReadAllText(f), csharp: f.EndsWith(".cs", StringComparison.Ordinal)).Select(key => (File: f, Key: key)))
            .Where(found => !IsRefused(found.Key))
            .Select(found => $"{Path.GetRelativePath(root, found.File)}: a signing key of {found.Key.Length} characters")
            .ToList();
        Assert.True(accepted.Count == 0,
            "Keys written in the repository must be refused by the hosts (add their SHA-256 to PublishedSigningKeys):\n" + string.Join("\n", accepted));
    }

    [Theory]
    [InlineData("Exports__SigningKey: ${INTENT_EXPORTS_SIGNING_KEY:-compose-default}", false, "compose-default")]
    [InlineData("Exports__SigningKey: \"${INTENT_EXPORTS_SIGNING_KEY-other-default}\"", false, "other-default")]
    [InlineData("Exports__SigningKey: ${INTENT_EXPORTS_SIGNING_KEY:?set it}", false, null)]
    [InlineData("export Exports__SigningKey=${Exports__SigningKey:-$(signing_key)}", false, null)]
    [InlineData("INTENT_EXPORTS_SIGNING_KEY=from-an-env-file", false, "from-an-env-file")]
    [InlineData("INTENT_EXPORTS_SIGNING_KEY=$(openssl rand -base64 48)", false, null)]
    [InlineData("Exports__SigningKey: written-in-yaml", false, "written-in-yaml")]
    [InlineData("\"Exports\": { \"SigningKey\": \"in-appsettings\" }", false, "in-appsettings")]
    [InlineData("\"SigningKey\": \"\"", false, null)]
    [InlineData("builder.UseSetting(\"Exports:SigningKey\", \"in-a-setting\");", true, "in-a-setting")]
    [InlineData("[\"Exports__SigningKey\"] = \"in-an-environment\",", true, "in-an-environment")]
    [InlineData("public static string ExportsSigningKey { get; } = \"in-a-property\";", true, "in-a-property")]
    [InlineData("new ExportOptions { SigningKey = \"in-an-initializer\" }", true, "in-an-initializer")]
    [InlineData("new ExportOptions { SigningKey = key }", true, null)]
    [InlineData("builder.UseSetting(\"Exports:SigningKey\", TestSettings.ExportsSigningKey);", true, null)]
    [InlineData("| exports: secret | `Exports__SigningKey` | none: required |", false, null)]
    public void The_scan_finds_keys_however_they_are_written(string text, bool csharp, string? expected)
    {
        string[] keys = expected is null ? [] : [expected];
        Assert.Equal(keys, WrittenKeys(text, csharp));
    }

    [Fact]
    public void Compose_takes_the_signing_key_and_every_password_from_required_variables()
    {
        var compose = File.ReadAllText(Path.Combine(RepositoryRoot(), "docker-compose.yml"));

        Assert.Contains("Exports__SigningKey: \"${INTENT_EXPORTS_SIGNING_KEY:?", compose, StringComparison.Ordinal);
        var passwords = PasswordAssignment().Matches(compose).Select(m => m.Groups["value"].Value.TrimStart('"')).ToList();
        Assert.True(passwords.Count >= 4, "the connection string, PostgreSQL's, RabbitMQ's and the hosts' RabbitMQ password");
        Assert.All(passwords, value => Assert.Matches(@"^\$\{INTENT_[A-Z_]*PASSWORD:\?", value));
    }

    /// <summary>The literal keys <paramref name="text"/> assigns; values taken from variables or commands are not keys.</summary>
    private static List<string> WrittenKeys(string text, bool csharp)
    {
        var keys = new List<string>();
        foreach (Match match in Assignment().Matches(text))
        {
            var quoted = match.Groups["quoted"];
            var value = quoted.Success ? quoted.Value : csharp ? "" : match.Groups["bare"].Value;
            keys.Add(value);
        }

        keys.AddRange(VariableDefault().Matches(text).Select(m => m.Groups["value"].Value));
        return keys.Where(k => k.Length > 0 && !k.StartsWith('$')).ToList();
    }

    private static bool IsRefused(string key)
    {
        try
        {
            Options(key);
            return false;
        }
        catch (OptionsValidationException)
        {
            return true;
        }
    }

    private static ExportOptions Options(string key)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Exports:SigningKey"] = key })
            .Build();
        using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddIntentExports().BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ExportOptions>>().Value;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Intent.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Intent.sln above {AppContext.BaseDirectory}");
    }

    // A signing-key name, what may close it ("]  '  { get; }"), then = or : or , and the value; ":-" and ":?" belong to ${...}.
    [GeneratedRegex("""signing[_-]?key(?:["'\]]|\s*\{\s*get;\s*(?:set;\s*|init;\s*)?\})*\s*(?:=|:(?![-?=+])|,)\s*(?:"(?<quoted>[^"\r\n]*)"|'(?<quoted>[^'\r\n]*)'|(?<bare>[^\s"',;)}\]]+))""",
        RegexOptions.IgnoreCase)]
    private static partial Regex Assignment();

    // ${VAR:-default}, ${VAR-default}, ${VAR:=default}, ${VAR=default} for a signing-key variable.
    [GeneratedRegex("""\$\{\w*signing_?key\w*:?[-=](?<value>[^}\r\n]*)\}""", RegexOptions.IgnoreCase)]
    private static partial Regex VariableDefault();

    [GeneratedRegex("""(?:password|_PASS)["']?\s*(?:=|:(?![-?=+]))\s*(?<value>[^;\s]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordAssignment();
}
