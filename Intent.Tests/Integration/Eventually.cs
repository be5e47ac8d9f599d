namespace Intent.Tests.Integration;

/// <summary>Waits for something the system does asynchronously, failing with the last observation.</summary>
public static class Eventually
{
    public static async Task<T> MatchAsync<T>(Func<Task<T>> observe, Func<T, bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await observe();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting{(because is null ? "" : " for " + because)}; last observed: {value}");
            }

            await Task.Delay(100);
        }
    }
}
