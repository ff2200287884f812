using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace Herald.Silo.Hosting;

/// <summary>What every Herald executable (gateway, silo) starts with, whatever directory it is started from.</summary>
public static class HeraldHostDefaults
{
    // Below every other configuration source, so appsettings.json, the environment and the command line override them.
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        // The framework logs several Information lines per request: megabytes an hour, and CPU, under load.
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",

        // Orleans tells every step of a silo's start and stop at Information: warnings and worse are what an operator needs.
        ["Logging:LogLevel:Orleans"] = "Warning",
        ["Logging:LogLevel:Polly"] = "Warning",
    };

    /// <summary>
    /// The content root is the executable's own folder, not the working directory: a process started as
    /// <c>dotnet src/Gateway/bin/.../Herald.Gateway.dll</c> from anywhere still reads its <c>appsettings.json</c>.
    /// </summary>
    public static WebApplicationOptions Options(string[] args) => new() { Args = args, ContentRootPath = AppContext.BaseDirectory };

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(Options(args));
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        return builder;
    }
}
