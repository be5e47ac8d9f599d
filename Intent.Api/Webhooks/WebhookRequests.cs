using System.Text.Json.Serialization;

namespace Intent.Api.Webhooks;

/// <summary>Body of <c>POST /v1/intent/webhooks</c>: <c>url</c> and <c>events</c> are required; any other field is refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateWebhookRequest(string? Url, List<string?>? Events, bool? Enabled, string? Description);

/// <summary>Body of <c>PATCH /v1/intent/webhooks/{id}</c>; absent fields stay as they are, <c>description: ""</c> clears it; any other field is refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateWebhookRequest(string? Url, List<string?>? Events, bool? Enabled, string? Description);
