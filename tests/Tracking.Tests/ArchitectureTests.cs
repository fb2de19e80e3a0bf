using System.Reflection;
using System.Xml.Linq;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests;

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

    public static TheoryData<string> Constrained => new(Allowed.Keys);

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
}
