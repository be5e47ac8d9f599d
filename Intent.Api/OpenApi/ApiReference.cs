using Intent.Api.Errors;

namespace Intent.Api.OpenApi;

/// <summary>The interactive reference at <c>/docs</c> serves our one document; any other name is not found.</summary>
public static class ApiReference
{
    public const string DocumentName = "v1";

    public static ValueTask<object?> OnlyOurDocument(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.GetRouteValue("documentName") is null or DocumentName
            ? next(context)
            : throw new ApiException(StatusCodes.Status404NotFound, "NOT_FOUND", "No such API document; the reference is at /docs.");
}
