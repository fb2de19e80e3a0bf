using System.Reflection;
using System.Xml.Linq;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.Unit;

/// <summary>
/// Project references point one way: Gateway → contracts, Grains → contracts, Silo → anything, tests →
/// anything. Checked in the project files and in what the compiled assemblies reference.
/// </summary>
public class ArchitectureTests
{
    static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Tracking.Grains.Interfaces"] = [],
        ["Tracking.Grains"] = ["Tracking.Grains.Interfaces"],
        ["Tracking.Gateway"] = ["Tracking.Grains.Interfaces"],
    };

    static readonly Dictionary<string, string> ProjectFiles = new()
    {
        ["Tracking.Grains.Interfaces"] = "Grains.Interfaces/Tracking.Grains.Interfaces.csproj",
        ["Tracking.Grains"] = "Grains/Tracking.Grains.csproj",
        ["Tracking.Gateway"] = "Gateway/Tracking.Gateway.csproj",
    };

    /// <summary>Each assembly's own root namespace, so that a crossing shows up in a <c>using</c>.</summary>
    static readonly Dictionary<string, string> RootNamespaces = new()
    {
        ["Tracking.Grains.Interfaces"] = "Tracking.Contracts",
        ["Tracking.Grains"] = "Tracking.Grains",
        ["Tracking.Gateway"] = "Tracking.Gateway",
        ["Tracking.Silo"] = "Tracking.Silo",
    };

    public static TheoryData<string> Constrained => new(Allowed.Keys);

    public static TheoryData<string> Assemblies => new(RootNamespaces.Keys);

    [Theory]
    [MemberData(nameof(Constrained))]
    public void A_project_references_only_what_its_layer_may(string project)
    {
        var file = XDocument.Load(Path.Combine(Repository.Root, ProjectFiles[project]));
        var referenced = file.Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();
        Assert.All(referenced, r => Assert.Contains(r, Allowed[project]));
    }

    [Theory]
    [MemberData(nameof(Constrained))]
    public void A_compiled_assembly_references_only_what_its_layer_may(string project)
    {
        var ours = Assembly.Load(project).GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("Tracking.")).ToList();
        Assert.All(ours, r => Assert.Contains(r, Allowed[project]));
    }

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void An_assembly_declares_types_only_under_its_own_root_namespace(string assembly)
    {
        var root = RootNamespaces[assembly];
        // Types the compiler and Orleans' code generator add live in their own namespaces.
        var declared = Assembly.Load(assembly).GetTypes()
            .Where(t => t.Namespace is { } ns && ns.StartsWith("Tracking") && !ns.StartsWith("OrleansCodeGen"))
            .Select(t => t.FullName!)
            .ToList();
        Assert.NotEmpty(declared);
        Assert.All(declared, name => Assert.True(name.StartsWith(root + "."), $"{name} is outside {root}"));
    }
}
