namespace Intent.Cli.Import;

/// <summary>What each kind of file holds, and the set-based checks its rows must pass before anything is loaded.</summary>
public static class ImportKinds
{
    public static readonly ImportColumn[] Topics =
    [
        ImportColumn.WholeNumber("topicId", "topic_id"),
        ImportColumn.Text("topicName", "topic_name", required: true, maxLength: 255),
        ImportColumn.OneOf("type", "type", "b2b", "b2c"),
        ImportColumn.Text("industry", "industry", required: true, maxLength: 255),
        ImportColumn.Text("category", "category", required: true, maxLength: 255),
    ];

    public static readonly ImportColumn[] People =
    [
        ImportColumn.Identifier("personId", "person_id"),
        ImportColumn.Text("hashedEmail", "hashed_email", required: true, maxLength: 128),
        ImportColumn.Text("firstName", "first_name"), ImportColumn.Text("lastName", "last_name"), ImportColumn.Text("fullName", "full_name"),
        ImportColumn.Text("businessEmail", "business_email"), ImportColumn.Text("personalEmail", "personal_email"), ImportColumn.Text("email", "email"),
        ImportColumn.Text("primaryContactEmail", "primary_contact_email"), ImportColumn.Text("phone", "phone"), ImportColumn.Text("linkedinUrl", "linkedin_url"),
        ImportColumn.Text("headline", "headline"), ImportColumn.Text("jobTitle", "job_title"), ImportColumn.Text("seniority", "seniority"),
        ImportColumn.Text("department", "department"), ImportColumn.Text("companyName", "company_name"), ImportColumn.Text("companyDomain", "company_domain"),
        ImportColumn.Text("companyIndustry", "company_industry"), ImportColumn.Text("companyIndustryGroup", "company_industry_group"),
        ImportColumn.Text("companyRevenueRange", "company_revenue_range"), ImportColumn.Text("companyEmployeeRange", "company_employee_range"),
        ImportColumn.Text("country", "country"), ImportColumn.Flag("isDecisionMaker", "is_decision_maker"),
    ];

    public static readonly ImportColumn[] Scores =
    [
        ImportColumn.Identifier("personId", "person_id"),
        ImportColumn.WholeNumber("topicId", "topic_id"),
        ImportColumn.Score("score", "score"),
    ];

    /// <summary>Queries over the staged rows that return (line, problem) for every row that may not be loaded.</summary>
    public static string[] Checks(string kind) => kind switch
    {
        "topics" =>
        [
            "SELECT line, 'topicId ' || topic_id || ' appears more than once in the file' FROM (SELECT line, topic_id, count(*) OVER (PARTITION BY topic_id) n FROM staging) s WHERE n > 1",
            "SELECT s.line, 'topicId ' || s.topic_id || ' already exists' FROM staging s JOIN topics t USING (topic_id)",
        ],
        "people" =>
        [
            "SELECT line, 'personId ' || person_id || ' appears more than once in the file' FROM (SELECT line, person_id, count(*) OVER (PARTITION BY person_id) n FROM staging) s WHERE n > 1",
            "SELECT line, 'hashedEmail appears more than once in the file' FROM (SELECT line, count(*) OVER (PARTITION BY hashed_email) n FROM staging) s WHERE n > 1",
            "SELECT s.line, 'personId ' || s.person_id || ' already exists' FROM staging s JOIN people p USING (person_id)",
            "SELECT s.line, 'hashedEmail already exists' FROM staging s JOIN people p USING (hashed_email)",
        ],
        "scores" =>
        [
            "SELECT line, 'personId ' || person_id || ' and topicId ' || topic_id || ' appear more than once' FROM (SELECT line, person_id, topic_id, count(*) OVER (PARTITION BY person_id, topic_id) n FROM staging) s WHERE n > 1",
            "SELECT s.line, 'personId ' || s.person_id || ' is not a known person' FROM staging s WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.person_id = s.person_id)",
            "SELECT s.line, 'topicId ' || s.topic_id || ' is not a known topic' FROM staging s WHERE NOT EXISTS (SELECT 1 FROM topics t WHERE t.topic_id = s.topic_id)",
        ],
        _ => throw new ArgumentException($"unknown import kind '{kind}'"),
    };
}
