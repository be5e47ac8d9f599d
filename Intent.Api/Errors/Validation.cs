using Intent.Pipeline.Audiences;

namespace Intent.Api.Errors;

/// <summary>400 VALIDATION_ERROR with the failing fields in <c>details.errors</c> (at most <see cref="MaxListed"/>) and their total in <c>details.errorCount</c>.</summary>
public static class Validation
{
    /// <summary>Most field errors an answer lists; the rest are only counted, so no input can make an answer large.</summary>
    public const int MaxListed = 20;

    public static ApiException Error(string field, string message) => Errors([new FieldError(field, message)]);

    public static ApiException Errors(IReadOnlyList<FieldError> errors) => new(
        StatusCodes.Status400BadRequest,
        "VALIDATION_ERROR",
        errors.Count == 1 ? $"{errors[0].Field} {errors[0].Message}." : $"{errors[0].Field} {errors[0].Message} (and {errors.Count - 1} more).",
        new { errors = Listed(errors), errorCount = errors.Count });

    /// <summary>The first <see cref="MaxListed"/> errors.</summary>
    public static IReadOnlyList<FieldError> Listed(IReadOnlyList<FieldError> errors) =>
        errors.Count <= MaxListed ? errors : [.. errors.Take(MaxListed)];

    public static void Check(bool condition, string field, string message)
    {
        if (!condition)
        {
            throw Error(field, message);
        }
    }
}
