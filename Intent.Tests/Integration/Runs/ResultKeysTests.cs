using Intent.Data.Runs;
using Npgsql;
using NpgsqlTypes;

namespace Intent.Tests.Integration.Runs;

/// <summary>The daily job computes result keys in SQL, the API in C#: both must name the same snapshot.</summary>
[Collection(IntegrationGroup.Name)]
public sealed class ResultKeysTests
{
    [Fact]
    public async Task PostgreSQL_and_CSharp_compute_the_same_result_key_for_any_organization_config_and_date()
    {
        var random = new Random(7);
        var inputs = Enumerable.Range(0, 300).Select(i => (
            Organization: Guid.NewGuid(),
            Hash: Convert.ToHexStringLower(random.GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 32)),
            Date: new DateOnly(1990, 1, 1).AddDays(random.Next(0, 30_000)))).ToList();

        await using var connection = new NpgsqlConnection(TestSettings.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT {ResultKeys.Sql("o", "h", "d")} FROM unnest(@organizations, @hashes, @dates) WITH ORDINALITY AS t(o, h, d, n) ORDER BY n",
            connection);
        command.Parameters.AddWithValue("organizations", inputs.Select(i => i.Organization).ToArray());
        command.Parameters.AddWithValue("hashes", inputs.Select(i => i.Hash).ToArray());
        command.Parameters.Add(new NpgsqlParameter("dates", NpgsqlDbType.Array | NpgsqlDbType.Date) { Value = inputs.Select(i => i.Date).ToArray() });

        var keys = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                keys.Add(reader.GetString(0));
            }
        }

        Assert.Equal(inputs.Select(i => ResultKeys.For(i.Organization, i.Hash, i.Date)), keys);
        Assert.Equal(inputs.Count, keys.Distinct().Count());
    }
}
