namespace Intent.Api.Errors;

/// <summary>
/// A known failure a handler reports; <see cref="ApiExceptionHandler"/> turns it into the error
/// envelope so handlers never build error bodies themselves.
/// </summary>
public sealed class ApiException(int statusCode, string code, string message, object? details = null) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public string Code { get; } = code;

    public object? Details { get; } = details;
}
