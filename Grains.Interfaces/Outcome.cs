namespace Tracking.Contracts;

/// <summary>
/// What a grain answers to a command: <see cref="Done{T}"/>, with its value; or refused, because the input is
/// <see cref="Invalid{T}"/> (the errors name the fields), what it acts on is <see cref="Missing{T}"/>, or it is
/// <see cref="Conflicting{T}"/> with what is there.
/// </summary>
[GenerateSerializer, Immutable, Alias("Tracking.Outcome`1")]
public abstract record Outcome<T>;

[GenerateSerializer, Immutable, Alias("Tracking.Done`1")]
public sealed record Done<T>([property: Id(0)] T Value) : Outcome<T>;

[GenerateSerializer, Immutable, Alias("Tracking.Invalid`1")]
public sealed record Invalid<T>([property: Id(0)] Dictionary<string, string[]> Errors) : Outcome<T>;

[GenerateSerializer, Immutable, Alias("Tracking.Missing`1")]
public sealed record Missing<T> : Outcome<T>;

[GenerateSerializer, Immutable, Alias("Tracking.Conflicting`1")]
public sealed record Conflicting<T>([property: Id(0)] string Detail) : Outcome<T>;
