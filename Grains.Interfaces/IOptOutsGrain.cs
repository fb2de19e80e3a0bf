namespace Tracking.Contracts;

/// <summary>A project's recipients who are not tracked (keyed by project id).</summary>
[Alias("Tracking.IOptOutsGrain")]
public interface IOptOutsGrain : IGrainWithGuidKey
{
    /// <summary>Adds the address (again: no change); Invalid when it is not an email address.</summary>
    [Alias("Add")] Task<Outcome<OptOutView>> Add(OptOutDraft draft);

    /// <summary>Newest first.</summary>
    [Alias("List")] Task<OptOutPage> List(int limit, int offset);

    /// <summary>False when the address was not opted out.</summary>
    [Alias("Remove")] Task<bool> Remove(string email);
}
