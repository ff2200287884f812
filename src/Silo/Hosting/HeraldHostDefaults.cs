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

        // Orleans's TLS middleware logs each failed handshake with a stack trace but no peer address; Herald logs
        // each refusal once, with the address and the reason (ConnectionRefusals).
        ["Logging:LogLevel:Orleans.Connections.Security"] = "Error",

        // Data Protection warns at each new key that no XML encryptor protects the key ring. Herald keeps the ring with
        // the data it seals, unencrypted, by design (README, Security: what sealing does not do).
        ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager"] = "Error",
    };

    /// <summary>
    /// The content root is the executable's own folder, not the working directory: a process started as
    /// <c>dotnet src/Gateway/bin/.../Herald.Gateway.dll</c> from anywhere still reads its <c>appsettings.json</c>.
    /// </summary>
    public static WebApplicationOptions Options(string[] args) => new() { Args = StorageSettings.ExpandSwitches(args), ContentRootPath = AppContext.BaseDirectory };

    /// <summary>
    /// Runs the host; a <see cref="HeraldStartupException"/> (a data folder in use, a bad setting) is printed as its
    /// message alone, and the exit code is 1.
    /// </summary>
    public static int Run(Func<WebApplication> build)
    {
        try
        {
            build().Run();
            return 0;
        }
        catch (Exception exception) when (FindStartupProblem(exception) is { } problem)
        {
            Console.Error.WriteLine($"Herald cannot start: {problem.Message}");
            return 1;
        }
    }

    private static HeraldStartupException? FindStartupProblem(Exception? exception) => exception switch
    {
        null => null,
        HeraldStartupException problem => problem,
        AggregateException aggregate => aggregate.InnerExceptions.Select(FindStartupProblem).FirstOrDefault(p => p is not null),
        _ => FindStartupProblem(exception.InnerException),
    };

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(Options(args));
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        return builder;
    }
}
