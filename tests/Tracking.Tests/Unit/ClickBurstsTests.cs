using Tracking.Contracts;
using Tracking.Grains.Analytics;
using Microsoft.Extensions.Time.Testing;
using Tracking.Grains.Events;

namespace Tracking.Tests.Unit;

/// <summary>The scanner rules that only later clicks reveal: bursts across links, and every link of an email.</summary>
public class ClickBurstsTests
{
    // The clock stands at the first click's time; tests move it on to see clicks forgotten.
    readonly FakeTimeProvider clock = new(Start);
    static readonly DateTimeOffset Start = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    const string Trap = "https://t.example.com/v1/track/trap";
    // An email with more links than any test clicks, so that only the rule under test can apply.
    const int Many = 10;
    static long seq;

    static CountedClick Click(Guid email, string link, double seconds, string? machine = null, string ip = "203.0.113.0", string agent = "Agent/1")
        => new(new MetricEvent
        {
            Seq = ++seq, Id = Guid.NewGuid(), EmailId = email, Type = EventTypes.Clicked, CreatedAt = Start.AddSeconds(seconds), Link = link,
            Tags = [], Machine = machine, FirstHumanClick = machine is null, IpAddress = ip, UserAgent = agent,
        });

    [Fact]
    public void Two_links_within_two_seconds_are_a_scanner_the_first_one_too()
    {
        var bursts = new ClickBursts(Trap, clock);
        var email = Guid.NewGuid();
        var first = Click(email, "https://a.example/1", 0);
        Assert.Empty(bursts.Add(first, emailLinks: 2));
        var second = Click(email, "https://a.example/2", 1.5);
        Assert.Equal([first, second], bursts.Add(second, emailLinks: 2));
    }

    [Fact]
    public void The_same_link_twice_or_two_links_apart_in_time_are_a_person()
    {
        var bursts = new ClickBursts(Trap, clock);
        var email = Guid.NewGuid();
        Assert.Empty(bursts.Add(Click(email, "https://a.example/1", 0), 2));
        Assert.Empty(bursts.Add(Click(email, "https://a.example/1", 0.5), 2));
        Assert.Empty(bursts.Add(Click(email, "https://a.example/2", 10), 2));
        // Another email's clicks at the same moment are not this one's burst.
        Assert.Empty(bursts.Add(Click(Guid.NewGuid(), "https://a.example/2", 0.2), 2));
    }

    [Fact]
    public void Every_link_of_an_email_with_three_or_more_within_a_minute_is_a_scanner()
    {
        var bursts = new ClickBursts(Trap, clock);
        var email = Guid.NewGuid();
        var clicks = new[] { Click(email, "https://a.example/1", 0), Click(email, "https://a.example/2", 20), Click(email, "https://a.example/3", 40) };
        Assert.Empty(bursts.Add(clicks[0], 3));
        Assert.Empty(bursts.Add(clicks[1], 3));
        Assert.Equal(clicks, bursts.Add(clicks[2], 3));

        // Two links of two, a minute apart: a person who came back.
        var other = Guid.NewGuid();
        Assert.Empty(bursts.Add(Click(other, "https://a.example/1", 0), 2));
        Assert.Empty(bursts.Add(Click(other, "https://a.example/2", 50), 2));
        // Every link of three, but over more than a minute: a person too.
        var slow = Guid.NewGuid();
        foreach (var (link, at) in new[] { ("1", 0.0), ("2", 40.0), ("3", 80.0) })
            Assert.Empty(bursts.Add(Click(slow, "https://a.example/" + link, at), 3));
    }

    [Fact]
    public void Clicks_already_a_machines_are_not_answered_again_and_old_ones_are_forgotten()
    {
        var bursts = new ClickBursts(Trap, clock);
        var email = Guid.NewGuid();
        var scanner = Click(email, "https://a.example/1", 0, MachineReasons.LinkScanner);
        bursts.Add(scanner, 2);
        var person = Click(email, "https://a.example/2", 1);
        Assert.Equal([person], bursts.Add(person, 2));

        // Two minutes on, the first click is past every rule's reach, the second not yet.
        clock.SetUtcNow(Start.AddMinutes(2).AddSeconds(0.5));
        bursts.Forget();
        Assert.Equal([person], bursts.Of(email));
        clock.Advance(TimeSpan.FromSeconds(1));
        bursts.Forget();
        Assert.Empty(bursts.Of(email));
    }

    [Fact]
    public void A_trap_click_marks_the_same_senders_clicks_of_that_email_within_a_minute_before_and_after()
    {
        var bursts = new ClickBursts(Trap, clock);
        var email = Guid.NewGuid();
        var before = Click(email, "https://a.example/1", 0);
        var otherSender = Click(email, "https://a.example/1", 5, agent: "Other/2");
        Assert.Empty(bursts.Add(before, Many));
        Assert.Empty(bursts.Add(otherSender, Many));
        // The trap click itself is a scanner's already, when it is recorded.
        Assert.Equal([before], bursts.Add(Click(email, Trap, 30, MachineReasons.LinkScanner), Many));
        var after = Click(email, "https://a.example/2", 50);
        Assert.Equal([after], bursts.Add(after, Many));
        // Past the minute, and on another email, the same sender is a person again.
        Assert.Empty(bursts.Add(Click(email, "https://a.example/1", 95), Many));
        Assert.Empty(bursts.Add(Click(Guid.NewGuid(), "https://a.example/1", 31), Many));
        // With nothing kept of the sender, no click is like another.
        var blind = Guid.NewGuid();
        Assert.Empty(bursts.Add(Click(blind, "https://a.example/1", 0, ip: null!, agent: null!), Many));
        Assert.Empty(bursts.Add(Click(blind, Trap, 10, MachineReasons.LinkScanner, ip: null!, agent: null!), Many));
    }
}
