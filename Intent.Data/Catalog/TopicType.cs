namespace Intent.Data.Catalog;

public enum TopicType
{
    B2b,
    B2c,
}
