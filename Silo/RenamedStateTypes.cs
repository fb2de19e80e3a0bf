using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Serialization;
using Orleans.Serialization;

namespace Tracking.Silo;

/// <summary>
/// Grain state is stored as JSON naming its .NET type. Types that moved keep their stored names readable:
/// a snapshot written before the move is read as the type's new home.
/// </summary>
sealed class RenamedStateTypes(ISerializationBinder inner) : ISerializationBinder
{
    static readonly Dictionary<(string? Assembly, string Type), Type> Moved = new()
    {
        [("Tracking.Grains.Interfaces", "Tracking.EmailState")] = typeof(Grains.Emails.EmailState),
    };

    public Type BindToType(string? assemblyName, string typeName) =>
        Moved.TryGetValue((assemblyName, typeName), out var moved) ? moved : inner.BindToType(assemblyName, typeName);

    public void BindToName(Type serializedType, out string? assemblyName, out string? typeName) =>
        inner.BindToName(serializedType, out assemblyName, out typeName);

    public static void Register(IServiceCollection services) =>
        services.PostConfigure<OrleansJsonSerializerOptions>(o =>
            o.JsonSerializerSettings.SerializationBinder = new RenamedStateTypes(
                o.JsonSerializerSettings.SerializationBinder ?? new DefaultSerializationBinder()));
}
