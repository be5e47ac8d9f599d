using System.Text.Json;

namespace Intent.Api.Audiences;

/// <summary>Body of <c>POST /v1/intent/audiences</c>; only <c>name</c> and <c>config.topicIds</c> are required.</summary>
public sealed record CreateAudienceRequest(string? Name, string? Status, bool? DailyRefreshEnabled, JsonElement? Config, List<string?>? ReadyEmailRecipients);

/// <summary>Body of <c>PATCH /v1/intent/audiences/{id}</c>; absent fields stay as they are, a config replaces the config.</summary>
public sealed record UpdateAudienceRequest(string? Name, string? Status, bool? DailyRefreshEnabled, JsonElement? Config, List<string?>? ReadyEmailRecipients);

