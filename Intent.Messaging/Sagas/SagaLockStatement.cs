using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Intent.Messaging.Sagas;

/// <summary>The <c>SELECT ... FOR UPDATE</c> that loads one saga instance and holds it until commit.</summary>
public static class SagaLockStatement
{
    public static string For<TSaga>(DbContext dbContext)
        where TSaga : class, ISaga
    {
        var entity = dbContext.Model.FindEntityType(typeof(TSaga))
            ?? throw new InvalidOperationException($"{typeof(TSaga).Name} is not in the model of {dbContext.GetType().Name}.");
        var table = entity.GetTableName()
            ?? throw new InvalidOperationException($"{typeof(TSaga).Name} is not mapped to a table.");
        var schema = entity.GetSchema();
        var column = entity.FindProperty(nameof(ISaga.CorrelationId))?.GetColumnName(StoreObjectIdentifier.Table(table, schema))
            ?? throw new InvalidOperationException($"{typeof(TSaga).Name}.CorrelationId is not mapped to a column.");
        var qualified = schema is null ? $"\"{table}\"" : $"\"{schema}\".\"{table}\"";
        return $"SELECT * FROM {qualified} WHERE \"{column}\" = {{0}} FOR UPDATE";
    }
}
