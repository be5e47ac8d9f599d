namespace Intent.Api.Topics;

/// <summary><c>GET /v1/intent/topics/facets</c>: the catalog's types, industries and categories with their topic counts, largest first.</summary>
public sealed record TopicFacetsResponse(List<TopicFacetValue> Types, List<TopicFacetValue> Industries, List<TopicFacetValue> Categories);
