namespace Tracking.Contracts;

/// <summary>
/// A grain call failed because the database could not be reached for a moment (restarting, failing over).
/// The caller may try again. The silo turns transient Npgsql errors into this, which crosses to a separate
/// Gateway as itself (Npgsql's exceptions have no Orleans codec).
/// </summary>
[GenerateSerializer, Alias("Tracking.DatabaseUnavailableException")]
public sealed class DatabaseUnavailableException : Exception
{
    public DatabaseUnavailableException() { }
    public DatabaseUnavailableException(string message) : base(message) { }
}
