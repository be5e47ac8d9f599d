namespace Intent.Data.Runs;

public enum RunType
{
    Manual,
    Daily,
    Preview,
}
