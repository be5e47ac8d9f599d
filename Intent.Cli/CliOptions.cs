using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Intent.Cli;

/// <summary>Options that several commands share, each parsed strictly with an error that names the option.</summary>
public static class CliOptions
{
    /// <summary>The longest organization name (the column's length).</summary>
    public const int MaxOrganizationName = 255;

    public static Option<string> Organization(string description, bool required = true) => new("--org")
    {
        Description = description,
        HelpName = "NAME",
        Required = required,
        CustomParser = result =>
        {
            var name = result.Tokens[^1].Value.Trim();
            return name.Length is > 0 and <= MaxOrganizationName
                ? name
                : Fail<string>(result, $"--org NAME must be 1 to {MaxOrganizationName} characters");
        },
    };

    public static Option<int> PositiveNumber(string name, int defaultValue, string description) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
            int.TryParse(result.Tokens[^1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
                ? number
                : Fail<int>(result, $"{name} must be a positive whole number"),
    };

    public static Option<DateOnly?> Date(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "YYYY-MM-DD",
        CustomParser = result =>
            DateOnly.TryParseExact(result.Tokens[^1].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                ? date
                : Fail<DateOnly?>(result, $"{name} must be a date as YYYY-MM-DD"),
    };

    public static T Fail<T>(ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }
}
