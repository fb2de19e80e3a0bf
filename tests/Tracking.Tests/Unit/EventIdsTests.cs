using Tracking.Grains.Events;

namespace Tracking.Tests.Unit;

public class EventIdsTests
{
    [Fact]
    public void Event_ids_are_distinct_version_7_ids_carrying_their_millisecond()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_123);
        var ids = EventIds.New(1000, at);

        Assert.Equal(1000, ids.Distinct().Count());
        Assert.All(ids, id =>
        {
            Assert.Equal(7, id.Version);
            Assert.Equal(0b10, id.Variant >> 2);
            // The first 48 bits, read big-endian, are the Unix milliseconds, as Guid.CreateVersion7 makes them.
            Assert.Equal(Guid.CreateVersion7(at).ToString()[..13], id.ToString()[..13]);
        });
        Assert.True(EventIds.New(1, at.AddMilliseconds(1))[0].CompareTo(ids.Max()) > 0, "a later millisecond sorts after");
    }
}
