using System.Text.Json;
using Intent.Pipeline.Audiences;

namespace Intent.Tests.Unit.Audiences;

/// <summary>Configs that mean the same have one canonical JSON and one hash; any difference in meaning changes the hash.</summary>
public sealed class AudienceConfigHashTests
{
    private const string Base = """
        {"topicIds":[1,2],"minScore":70,"maxScore":100,"minTopicOverlap":1,
         "filters":{"role.seniority":{"values":["director","vp"],"mode":"any"},"role.isDecisionMaker":true}}
        """;

    public static TheoryData<string, string> SameMeaning() => new()
    {
        { """{"topicIds":[3,1,2]}""", """{"topicIds":[1,2,3,3,1]}""" },
        { """{"topicIds":[1]}""", """{"topicIds":[1],"minScore":70,"maxScore":100,"minTopicOverlap":1,"filters":{}}""" },
        { """{"topicIds":[1]}""", """{"topicIds":[1],"minScore":null,"maxScore":null,"minTopicOverlap":null,"filters":null}""" },
        {
            """{"topicIds":[1],"filters":{"role.seniority":{"values":[" VP ","Director","vp","DIRECTOR"]}}}""",
            """{"topicIds":[1],"filters":{"role.seniority":{"values":["director","vp"]}}}"""
        },
        {
            """{"topicIds":[1],"filters":{"role.seniority":{"values":["vp"],"mode":"all"}}}""",
            """{"topicIds":[1],"filters":{"role.seniority":{"values":["vp"]}}}"""
        },
        {
            """{"topicIds":[1],"filters":{"role.seniority":{"values":["VP"," vp "],"mode":"all"}}}""",
            """{"topicIds":[1],"filters":{"role.seniority":{"values":["vp"],"mode":"any"}}}"""
        },
        {
            """{"topicIds":[1],"filters":{"role.seniority":{"values":["cto","vp"],"mode":"any"}}}""",
            """{"topicIds":[1],"filters":{"role.seniority":{"values":["vp","cto"],"mode":null}}}"""
        },
        {
            """{"topicIds":[1],"maxScore":90,"filters":{"role.isDecisionMaker":true,"location.countries":{"values":["de"]}}}""",
            """{"filters":{"location.countries":{"mode":"any","values":["DE"]},"role.isDecisionMaker":true},"maxScore":90,"topicIds":[1]}"""
        },
        { Base, string.Join(" ", Base.Split((char[])['\n', ' '], StringSplitOptions.RemoveEmptyEntries)) },
    };

    [Theory]
    [MemberData(nameof(SameMeaning))]
    public void Configs_that_mean_the_same_have_the_same_canonical_json_and_hash(string one, string other)
    {
        Assert.Equal(Config(one).ToJson(), Config(other).ToJson());
        Assert.Equal(Config(one).Hash(), Config(other).Hash());
    }

    public static TheoryData<string, string> Changes() => new()
    {
        { "another topic", Base.Replace("[1,2]", "[1,3]", StringComparison.Ordinal) },
        { "one topic fewer", Base.Replace("[1,2]", "[1]", StringComparison.Ordinal) },
        { "minScore", Base.Replace("\"minScore\":70", "\"minScore\":71", StringComparison.Ordinal) },
        { "maxScore", Base.Replace("\"maxScore\":100", "\"maxScore\":99", StringComparison.Ordinal) },
        { "minTopicOverlap", Base.Replace("\"minTopicOverlap\":1", "\"minTopicOverlap\":2", StringComparison.Ordinal) },
        { "mode all of two values", Base.Replace("\"mode\":\"any\"", "\"mode\":\"all\"", StringComparison.Ordinal) },
        { "one value fewer", Base.Replace("[\"director\",\"vp\"]", "[\"director\"]", StringComparison.Ordinal) },
        { "another value", Base.Replace("\"vp\"", "\"cto\"", StringComparison.Ordinal) },
        { "a value's inner spelling", Base.Replace("\"vp\"", "\"v p\"", StringComparison.Ordinal) },
        { "the boolean flipped", Base.Replace("true", "false", StringComparison.Ordinal) },
        { "the boolean filter left out", Base.Replace(",\"role.isDecisionMaker\":true", "", StringComparison.Ordinal) },
        { "the same values on another filter", Base.Replace("role.seniority", "role.department", StringComparison.Ordinal) },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Any_difference_in_meaning_changes_the_hash(string change, string changed)
    {
        Assert.True(Config(Base).Hash() != Config(changed).Hash(), $"{change}: same hash");
        Assert.True(Config(Base).ToJson() != Config(changed).ToJson(), $"{change}: same canonical json");
    }

    [Fact]
    public void Every_change_gives_a_hash_of_its_own()
    {
        var hashes = Changes().Select(row => Config((string)row[1]).Hash()).Append(Config(Base).Hash()).ToList();
        Assert.Equal(hashes.Count, hashes.Distinct().Count());
    }

    [Fact]
    public void Including_or_excluding_the_same_job_titles_differ() =>
        Assert.NotEqual(
            Config("""{"topicIds":[1],"filters":{"jobTitle.include":{"values":["intern"]}}}""").Hash(),
            Config("""{"topicIds":[1],"filters":{"jobTitle.exclude":{"values":["intern"]}}}""").Hash());

    [Fact]
    public void The_canonical_json_has_fixed_key_order_filled_defaults_and_no_whitespace() =>
        Assert.Equal(
            """{"topicIds":[2,5],"minScore":70,"maxScore":100,"minTopicOverlap":1,"filters":{"jobTitle.include":{"values":["data","head of"],"mode":"all"},"role.isDecisionMaker":false}}""",
            Config("""
                {"filters":{"role.isDecisionMaker":false,"jobTitle.include":{"mode":"all","values":["Head of ","DATA"]}},"topicIds":[5,2]}
                """).ToJson());

    [Fact]
    public void The_hash_is_64_lower_case_hex_digits_and_stable_across_parses()
    {
        var hash = Config(Base).Hash();
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(hash, Config(Base).Hash());
    }

    [Fact]
    public void Parsing_the_canonical_json_again_changes_nothing()
    {
        var canonical = Config(Base).ToJson();
        Assert.Equal(canonical, Config(canonical).ToJson());
    }

    private static AudienceConfig Config(string json)
    {
        using var document = JsonDocument.Parse(json);
        var (config, errors) = AudienceConfigParser.Parse(document.RootElement);
        Assert.Empty(errors);
        return config!;
    }
}
