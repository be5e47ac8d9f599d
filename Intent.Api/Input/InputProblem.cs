namespace Intent.Api.Input;

/// <summary>What is wrong with a request's input, naming the field (<c>config.topicIds[3]</c>, <c>q</c>, <c>body</c>).</summary>
public sealed record InputProblem(string Field, string Message);
