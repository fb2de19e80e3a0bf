namespace Tracking.Grains;

public static class DatabaseTime
{
    /// <summary>Now, to the microsecond PostgreSQL keeps, so a time read back equals the one held in memory.</summary>
    public static DateTimeOffset GetDatabaseNow(this TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10));
    }
}
