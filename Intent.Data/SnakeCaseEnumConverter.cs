using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Intent.Data;

/// <summary>Stores an enum as its snake_case name (<c>ApiKey</c> is <c>api_key</c>), readable in SQL and JSON.</summary>
public sealed class SnakeCaseEnumConverter<TEnum>() : ValueConverter<TEnum, string>(value => SnakeCaseNames.Of(value), name => SnakeCaseNames.Parse<TEnum>(name))
    where TEnum : struct, Enum;
