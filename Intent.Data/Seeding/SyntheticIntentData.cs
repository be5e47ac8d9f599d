using System.Security.Cryptography;
using System.Text;
using Intent.Data.Catalog;

namespace Intent.Data.Seeding;

/// <summary>
/// Deterministic, realistic synthetic intent data: a topic catalog with skewed popularity, people
/// with plausible names, titles and companies and fields missing at realistic rates, and daily
/// scores that follow each person's stable interests with day-to-day noise.
/// </summary>
public sealed class SyntheticIntentData(SeedOptions options)
{
    private const ulong TopicStream = 1;
    private const ulong CompanyStream = 2;
    private const ulong PersonStream = 3;
    private const ulong InterestStream = 4;
    private const ulong DayStream = 5;

    private readonly Lazy<double[]> _popularity = new(() => CumulativePopularity(options.Topics));
    private readonly Lazy<Company[]> _companies = new(() => MakeCompanies(options));

    public SeedOptions Options => options;

    public IEnumerable<Topic> Topics()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var id = 1; id <= options.Topics; id++)
        {
            var random = SplitMix64.For(options.Seed, TopicStream, (ulong)id);
            var name = $"{random.Pick(Vocabulary.TopicCores)} {random.Pick(Vocabulary.TopicQualifiers)}";
            if (!names.Add(name))
            {
                name = $"{name} {id}";
                names.Add(name);
            }

            var (industry, _) = random.Pick(Vocabulary.Industries);
            yield return new Topic
            {
                TopicId = id,
                TopicName = name,
                Type = random.Chance(0.7) ? TopicType.B2b : TopicType.B2c,
                Industry = industry,
                Category = random.Pick(Vocabulary.TopicCategories),
            };
        }
    }

    public IEnumerable<Person> People()
    {
        var companies = _companies.Value;
        for (long id = 1; id <= options.People; id++)
        {
            var random = SplitMix64.For(options.Seed, PersonStream, (ulong)id);
            var first = random.Pick(Vocabulary.FirstNames);
            var last = random.Pick(Vocabulary.LastNames);
            var company = random.Chance(0.92) ? companies[Skewed(ref random, companies.Length)] : null;
            var (title, seniority, department) = random.Pick(Vocabulary.Titles);
            var hasTitle = random.Chance(0.9);
            var local = $"{Ascii(first)}.{Ascii(last)}".ToLowerInvariant();
            var business = company is not null && random.Chance(0.8) ? $"{local}@{company.Domain}" : null;
            var personal = random.Chance(0.45) ? $"{local}{random.Below(100)}@{random.Pick(PersonalDomains)}" : null;

            yield return new Person
            {
                PersonId = id,
                HashedEmail = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{local}.{id}@identity"))),
                FirstName = first,
                LastName = last,
                FullName = $"{first} {last}",
                BusinessEmail = business,
                PersonalEmail = personal,
                Email = business ?? personal,
                PrimaryContactEmail = business ?? personal,
                Phone = random.Chance(0.35) ? $"+1{random.Below(900) + 100}{random.Below(9_000_000) + 1_000_000}" : null,
                LinkedinUrl = random.Chance(0.65) ? $"https://www.linkedin.com/in/{local.Replace('.', '-')}-{id}" : null,
                Headline = hasTitle && company is not null && random.Chance(0.6) ? $"{title} at {company.Name}" : null,
                JobTitle = hasTitle ? title : null,
                Seniority = hasTitle ? seniority : null,
                Department = hasTitle ? department : null,
                CompanyName = company?.Name,
                CompanyDomain = company?.Domain,
                CompanyIndustry = company?.Industry,
                CompanyIndustryGroup = company?.IndustryGroup,
                CompanyRevenueRange = company is not null && random.Chance(0.85) ? company.RevenueRange : null,
                CompanyEmployeeRange = company is not null && random.Chance(0.9) ? company.EmployeeRange : null,
                Country = random.Chance(0.95) ? WeightedCountry(ref random) : null,
                IsDecisionMaker = hasTitle ? seniority is "c_suite" or "vp" or "owner" || (seniority == "director" && random.Chance(0.7)) : null,
            };
        }
    }

    /// <summary>One day's scores, ordered by person: each person scores on part of their stable interests.</summary>
    public IEnumerable<(long PersonId, int TopicId, short Score)> Scores(DateOnly date)
    {
        var day = (ulong)date.DayNumber;
        var interests = new Dictionary<int, int>();
        for (long id = 1; id <= options.People; id++)
        {
            interests.Clear();
            var profile = SplitMix64.For(options.Seed, InterestStream, (ulong)id);
            var count = 2 + (int)(-Math.Log(1 - profile.NextDouble()) * 6);
            for (var i = 0; i < Math.Min(count, 30); i++)
            {
                var topic = PopularTopic(ref profile);
                interests.TryAdd(topic, 1 + (int)(99 * Math.Pow(profile.NextDouble(), 1.7)));
            }

            var today = SplitMix64.For(options.Seed, DayStream ^ (day << 8), (ulong)id);
            if (!today.Chance(0.85))
            {
                continue;
            }

            foreach (var (topic, baseline) in interests)
            {
                if (today.Chance(0.6))
                {
                    var score = Math.Clamp(baseline + today.Below(21) - 10, 1, 100);
                    yield return (id, topic, (short)score);
                }
            }
        }
    }

    private static readonly string[] PersonalDomains = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me"];

    private int PopularTopic(ref SplitMix64 random)
    {
        var cumulative = _popularity.Value;
        var index = Array.BinarySearch(cumulative, random.NextDouble());
        return (index < 0 ? ~index : index) + 1;
    }

    private static double[] CumulativePopularity(int topics)
    {
        var weights = Enumerable.Range(1, topics).Select(rank => 1.0 / Math.Pow(rank, 0.9)).ToArray();
        var total = weights.Sum();
        var cumulative = new double[topics];
        var running = 0.0;
        for (var i = 0; i < topics; i++)
        {
            running += weights[i] / total;
            cumulative[i] = running;
        }

        cumulative[^1] = 1.0;
        return cumulative;
    }

    private static Company[] MakeCompanies(SeedOptions options)
    {
        var count = Math.Max(50, options.People / 25);
        var companies = new Company[count];
        for (var i = 0; i < count; i++)
        {
            var random = SplitMix64.For(options.Seed, CompanyStream, (ulong)i);
            var word = random.Pick(Vocabulary.CompanyWords);
            var name = $"{word} {random.Pick(Vocabulary.CompanySuffixes)}{(i >= Vocabulary.CompanyWords.Length ? $" {i}" : "")}";
            var (industry, group) = random.Pick(Vocabulary.Industries);
            var size = Math.Min(Vocabulary.EmployeeRanges.Length - 1, (int)(-Math.Log(1 - random.NextDouble()) * 1.6));
            companies[i] = new Company(
                name,
                $"{Ascii(word).ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal)}{i}.com",
                industry,
                group,
                Vocabulary.RevenueRanges[Math.Min(Vocabulary.RevenueRanges.Length - 1, size)],
                Vocabulary.EmployeeRanges[size]);
        }

        return companies;
    }

    private static int Skewed(ref SplitMix64 random, int count) => Math.Min(count - 1, (int)(count * Math.Pow(random.NextDouble(), 2.5)));

    private static string WeightedCountry(ref SplitMix64 random)
    {
        var total = Vocabulary.Countries.Sum(c => c.Weight);
        var pick = random.Below(total);
        foreach (var (country, weight) in Vocabulary.Countries)
        {
            if ((pick -= weight) < 0)
            {
                return country;
            }
        }

        return "US";
    }

    private static string Ascii(string text) => text.Replace("ü", "u", StringComparison.Ordinal);

    private sealed record Company(string Name, string Domain, string Industry, string IndustryGroup, string RevenueRange, string EmployeeRange);
}
