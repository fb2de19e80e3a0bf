using Npgsql;
using Tracking.Grains.Projects;

namespace Tracking.Silo;

/// <summary>What an operator runs from the command line (<c>./run.sh COMMAND</c> or <c>Tracking.Silo.dll COMMAND</c>).</summary>
public static class OperatorCommands
{
    public const string Usage = """
        Commands:
          project create NAME   makes a project and its first API key (full access), shown once
          project list          lists the projects and how many keys each has in use
          rotate-signing-key    adds a click-signing key (running silos sign with it within a minute)
        """;

    public static bool Names(string[] args) => args is ["project", ..] or ["rotate-signing-key"];

    public static async Task<int> Run(string[] args, NpgsqlDataSource db, ServerSecrets secrets)
    {
        switch (args)
        {
            case ["project", "create", var name] when !string.IsNullOrWhiteSpace(name):
                var created = await new ProjectStore(db).Create(name.Trim());
                Console.WriteLine($"""
                    Created project "{name.Trim()}" ({created.ProjectId}) with API key (shown only this once, keep it):

                        {created.ApiKey}
                    """);
                return 0;
            case ["project", "list"]:
                Console.WriteLine($"{"id",-36}  {"created_at (UTC)",-19}  {"keys",4}  name");
                foreach (var p in await new ProjectStore(db).List())
                    Console.WriteLine($"{p.Id,-36}  {p.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {p.Keys,4}  {p.Name}");
                return 0;
            case ["rotate-signing-key"]:
                await secrets.RotateSigningKey();
                Console.WriteLine($"Added a signing key: {(await secrets.SigningKeys()).Length} keys verify links, the new one signs them " +
                    "(running silos take it up within a minute).");
                return 0;
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }
}
