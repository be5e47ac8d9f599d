using Microsoft.Extensions.Options;

namespace Intent.Pipeline.Email;

/// <summary>Checks the email settings when the worker starts: it refuses to start with settings it may not use.</summary>
public sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        var problems = new List<string>();
        if (SmtpSecurityPolicy.Problem(options) is { } smtp)
        {
            problems.Add(smtp);
        }

        if (!MimeKit.MailboxAddress.TryParse(options.From, out _))
        {
            problems.Add("Email:From must be an email address");
        }

        if (options.DailyQuotaPerOrganization < 0)
        {
            problems.Add("Email:DailyQuotaPerOrganization must be 0 or more");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
