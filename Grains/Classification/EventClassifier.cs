using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Tracking.Contracts;
using static Tracking.Contracts.MachineReasons;

namespace Tracking.Grains.Classification;

/// <summary>What an open or a click was: its client, and the reason it was a machine's (null: a person's).</summary>
public sealed record Verdict(EventClient Client, string? Machine);

/// <summary>
/// Classifies an open or a click by its user agent, its method and its address, with <see cref="UserAgentRules"/>,
/// before anything about it is truncated or dropped. Work is bounded: the user agent is the stored one (cut to
/// its limit), and every pattern has a time limit.
/// </summary>
public sealed class EventClassifier(AppleRelayRanges appleRelay)
{
    static readonly TimeSpan PatternLimit = TimeSpan.FromMilliseconds(20);

    static readonly (ClientRule Rule, Regex? Pattern)[] Clients = [.. UserAgentRules.Clients.Select(r => (r, Compile(r.How, r.Text)))];
    static readonly (MachineRule Rule, Regex? Pattern)[] Machines = [.. UserAgentRules.Machines.Select(r => (r, Compile(r.How, r.Text)))];

    static Regex? Compile(UserAgentMatch how, string text) => how == UserAgentMatch.Pattern
        ? new Regex(text, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled, PatternLimit)
        : null;

    /// <summary>
    /// What a user agent was found to be, by the rules alone: mail clients send the same few agents over and over,
    /// so most hits are answered from here. Bounded; emptied when full (a flood of made-up agents costs only itself).
    /// </summary>
    readonly ConcurrentDictionary<(string Agent, bool Open, bool Head), Verdict> known = new();
    const int KnownAgents = 10_000;

    public Verdict Classify(string type, string? userAgent, string? ipAddress, bool head = false)
    {
        var agent = userAgent?.Trim() ?? "";
        var open = type == EventTypes.Opened;
        if (!known.TryGetValue((agent, open, head), out var verdict))
        {
            if (known.Count >= KnownAgents) known.Clear();
            known[(agent, open, head)] = verdict = ByRules(agent, open, head);
        }
        // With Apple's published ranges, only an address in them confirms Apple's proxy.
        return verdict.Machine == ApplePrivacyProxy && appleRelay.Known && !appleRelay.Contains(ipAddress)
            ? verdict with { Machine = Prefetch }
            : verdict;
    }

    static Verdict ByRules(string agent, bool open, bool head)
    {
        var client = Client(agent);
        string? machine;
        if (agent.Length == 0) machine = open ? Prefetch : LinkScanner;
        else
        {
            var rule = Machines.FirstOrDefault(m => Matches(m.Rule.How, m.Rule.Text, m.Pattern, agent)).Rule;
            machine = rule is null ? null : open ? rule.OnOpen : rule.OnClick;
        }
        // People's browsers follow a link with GET; a HEAD asks about it without reading it.
        if (head && !open) machine = LinkScanner;
        return new Verdict(client, machine);
    }

    static EventClient Client(string agent)
    {
        var (rule, _) = Clients.FirstOrDefault(c => Matches(c.Rule.How, c.Rule.Text, c.Pattern, agent));
        var platform = UserAgentRules.Platforms.FirstOrDefault(p => agent.Contains(p.Token, StringComparison.Ordinal));
        var os = rule?.Os ?? platform?.Os ?? EventClient.Unknown;
        var device = rule?.Device ?? platform?.Device ?? EventClient.Unknown;
        // An Android tablet's browser leaves out the Mobile token.
        if (rule?.Device is null && platform?.Os == "Android" && !agent.Contains("Mobile", StringComparison.OrdinalIgnoreCase)) device = "tablet";
        return new EventClient(rule?.Name ?? EventClient.Unknown, os, device);
    }

    static bool Matches(UserAgentMatch how, string text, Regex? pattern, string agent)
    {
        try
        {
            return how switch
            {
                UserAgentMatch.Exactly => agent.Equals(text, StringComparison.OrdinalIgnoreCase),
                UserAgentMatch.Contains => agent.Contains(text, StringComparison.OrdinalIgnoreCase),
                _ => pattern!.IsMatch(agent),
            };
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
