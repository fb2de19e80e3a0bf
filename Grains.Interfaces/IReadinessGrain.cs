namespace Tracking.Contracts;

/// <summary>Whether the silo that runs it can serve: it answers, and reaches the database.</summary>
[Alias("Tracking.IReadinessGrain")]
public interface IReadinessGrain : IGrainWithIntegerKey
{
    /// <summary>Null when ready, else what is not.</summary>
    [Alias("Check")] Task<string?> Check();
}
