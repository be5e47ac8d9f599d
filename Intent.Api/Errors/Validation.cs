using Intent.Data.Audiences;

namespace Intent.Api.Errors;

/// <summary>400 VALIDATION_ERROR with the failing fields in <c>details.errors</c>.</summary>
public static class Validation
{
    public static ApiException Error(string field, string message) => Errors([new FieldError(field, message)]);

    public static ApiException Errors(IReadOnlyList<FieldError> errors) => new(
        StatusCodes.Status400BadRequest,
        "VALIDATION_ERROR",
        errors.Count == 1 ? $"{errors[0].Field} {errors[0].Message}." : $"{errors[0].Field} {errors[0].Message} (and {errors.Count - 1} more).",
        new { errors });

    public static void Check(bool condition, string field, string message)
    {
        if (!condition)
        {
            throw Error(field, message);
        }
    }
}
