namespace Intent.Data.Catalog;

/// <summary>A person intent is scored for, with the public fields a run's results carry.</summary>
public sealed class Person
{
    public long PersonId { get; set; }

    public string HashedEmail { get; set; } = "";

    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    public string? FullName { get; set; }

    public string? BusinessEmail { get; set; }

    public string? PersonalEmail { get; set; }

    public string? Email { get; set; }

    public string? PrimaryContactEmail { get; set; }

    public string? Phone { get; set; }

    public string? LinkedinUrl { get; set; }

    public string? Headline { get; set; }

    public string? JobTitle { get; set; }

    public string? Seniority { get; set; }

    public string? Department { get; set; }

    public string? CompanyName { get; set; }

    public string? CompanyDomain { get; set; }

    public string? CompanyIndustry { get; set; }

    public string? CompanyIndustryGroup { get; set; }

    public string? CompanyRevenueRange { get; set; }

    public string? CompanyEmployeeRange { get; set; }

    public string? Country { get; set; }

    public bool? IsDecisionMaker { get; set; }
}
