namespace Intent.Data.Audiences;

public enum AudienceStatus
{
    Draft,
    Active,
    Paused,
}
