using Tracking.Grains.Webhooks;

namespace Tracking.Tests.Unit;

public class EventSequenceMarksTests
{
    static readonly DateTimeOffset T = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Answers_the_newest_number_seen_by_a_time_and_nothing_before_the_first_mark()
    {
        var marks = new EventSequenceMarks();
        Assert.Null(marks.TakenBefore(T));
        for (var i = 0; i < 5; i++) marks.Seen(100 + i * 10, T.AddSeconds(i), keep: TimeSpan.FromSeconds(10));
        Assert.Null(marks.TakenBefore(T.AddMilliseconds(-1)));
        Assert.Equal(100, marks.TakenBefore(T));
        Assert.Equal(120, marks.TakenBefore(T.AddSeconds(2.5)));
        Assert.Equal(140, marks.TakenBefore(T.AddMinutes(1)));
    }

    [Fact]
    public void Forgets_marks_only_once_a_newer_one_answers_for_the_age_it_keeps()
    {
        var marks = new EventSequenceMarks();
        var keep = TimeSpan.FromSeconds(10);
        for (var i = 0; i <= 60; i++)
        {
            var now = T.AddSeconds(i);
            marks.Seen(i, now, keep);
            // What the sweep asks: the number taken at least keep ago, which is the mark of that second.
            Assert.Equal(i >= 10 ? i - 10 : null, marks.TakenBefore(now - keep));
        }
    }
}
