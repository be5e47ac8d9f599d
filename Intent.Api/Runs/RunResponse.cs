using Intent.Pipeline.Runs;

namespace Intent.Api.Runs;

/// <summary>Body of <c>POST .../runs</c>; optional.</summary>
public sealed record QueueRunRequest(string? RunType);

/// <summary>A person of a completed run's results: the fields of <see cref="Intent.Data.Runs.ResultFields"/>, in its order (a test holds them equal).</summary>
public sealed record RunResultPerson(
    string HashedEmail,
    string? FirstName,
    string? LastName,
    string? FullName,
    string? BusinessEmail,
    string? PersonalEmail,
    string? Email,
    string? PrimaryContactEmail,
    string? Phone,
    string? LinkedinUrl,
    string? Headline,
    string? JobTitle,
    string? Seniority,
    string? Department,
    RunResultCompany Company,
    string? Country,
    bool? IsDecisionMaker,
    RunResultIntent Intent)
{
    /// <summary>A person from the values of its result fields, looked up by their public names.</summary>
    public static RunResultPerson From(IReadOnlyDictionary<string, object?> fields, RunResultIntent intent)
    {
        string? Text(string name) => fields[name] as string;
        return new RunResultPerson(
            (string)fields["hashedEmail"]!, Text("firstName"), Text("lastName"), Text("fullName"), Text("businessEmail"), Text("personalEmail"),
            Text("email"), Text("primaryContactEmail"), Text("phone"), Text("linkedinUrl"), Text("headline"), Text("jobTitle"), Text("seniority"),
            Text("department"),
            new RunResultCompany(Text("company.name"), Text("company.domain"), Text("company.industry"), Text("company.industryGroup"),
                Text("company.revenueRange"), Text("company.employeeRange")),
            Text("country"), fields["isDecisionMaker"] as bool?, intent);
    }
}

public sealed record RunResultCompany(string? Name, string? Domain, string? Industry, string? IndustryGroup, string? RevenueRange, string? EmployeeRange);

public sealed record RunResultIntent(int Score, int TopicOverlap, IReadOnlyList<Topics.TopicResponse> MatchedTopics);

/// <summary><c>data</c> of the results endpoint.</summary>
public sealed record RunResultsResponse(RunResponse Run, string State, IReadOnlyList<RunResultPerson> Results, long Total, int Limit, int Offset);
