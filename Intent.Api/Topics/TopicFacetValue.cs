namespace Intent.Api.Topics;

/// <summary>One value of a facet and how many topics have it.</summary>
public sealed record TopicFacetValue(string Value, int Count);
