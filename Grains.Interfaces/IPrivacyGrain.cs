namespace Tracking.Contracts;

/// <summary>What a project keeps about its recipients (keyed by project id).</summary>
[Alias("Tracking.IPrivacyGrain")]
public interface IPrivacyGrain : IGrainWithGuidKey
{
    [Alias("Get")] Task<PrivacySettings> Get();

    /// <summary>Changes what is given, for opens and clicks recorded from now on.</summary>
    [Alias("Update")] Task<Outcome<PrivacySettings>> Update(PrivacyDraft draft);
}
