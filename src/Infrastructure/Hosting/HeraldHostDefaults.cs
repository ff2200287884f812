using Herald.Contracts;
using Herald.Infrastructure.Storage;
using Microsoft.Extensions.Configuration.Memory;
using Npgsql;

namespace Herald.Infrastructure.Hosting;

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

        // Orleans's TLS middleware logs each failed handshake with a stack trace but no peer address; Herald logs
        // each refusal once, with the address and the reason (ConnectionRefusals).
        ["Logging:LogLevel:Orleans.Connections.Security"] = "Error",

        // A failover is expected, not an error. Orleans logs these failures at Error and then hands each to whoever can
        // act on it, and Herald logs it there once, in one line at Warning when a failover explains it (ExpectedFaults):
        // its storage provider and in-memory stream queue (the category is the bare ILogger it creates) throw to the
        // calling grain; its placement retries through Polly and throws to the caller when the retries run out; a
        // message it cannot address is rejected to its sender, or, one-way, is a wake the sweeps stand behind; a
        // cancellation it cannot forward is for a call that has failed already. Its reminder service and its stream
        // agents retry by themselves, and Herald does not depend on either alone: the sweeps resume a retry whose
        // reminder did not fire, and a gateway fills a missed announcement from the log.
        ["Logging:LogLevel:Orleans.Storage.AdoNetGrainStorage"] = "Critical",
        ["Logging:LogLevel:Orleans.Runtime.ReminderService"] = "Critical",
        ["Logging:LogLevel:Orleans.Streams"] = "Critical",
        ["Logging:LogLevel:Orleans.Providers.MemoryAdapterReceiver"] = "Critical",
        ["Logging:LogLevel:Microsoft.Extensions.Logging.ILogger"] = "Critical",
        ["Logging:LogLevel:Polly"] = "Critical",
        ["Logging:LogLevel:Orleans.Messaging"] = "Critical",
        ["Logging:LogLevel:Orleans.Runtime.GrainCallCancellationManager"] = "Critical",

        // Data Protection warns at each new key that no XML encryptor protects the key ring. Herald keeps the ring with
        // the data it seals, unencrypted, by design (README, Security: what sealing does not do).
        ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager"] = "Error",
    };

    private static readonly TimeSpan FirstStartAgainDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LongestStartAgainDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The content root is the executable's own folder, not the working directory: a process started as
    /// <c>dotnet src/Gateway/bin/.../Herald.Gateway.dll</c> from anywhere still reads its <c>appsettings.json</c>.
    /// </summary>
    public static WebApplicationOptions Options(string[] args) => new() { Args = StorageMode.ExpandSwitches(args), ContentRootPath = AppContext.BaseDirectory };

    /// <summary>
    /// Runs the host; a <see cref="HeraldStartupException"/> (a data folder in use, a bad setting) is printed as its
    /// message alone, and the exit code is 1. A start that PostgreSQL fails midway (it restarts while Orleans
    /// sets up its storage or joins the membership table) is made again from a fresh host, as often as it takes:
    /// a process started during a database outage waits for the database instead of crashing. A stop asked for while
    /// starting (SIGTERM, Ctrl+C) is a clean stop, exit code 0.
    /// </summary>
    public static int Run(Func<WebApplication> build)
    {
        using var signals = new StopSignals();
        var delay = FirstStartAgainDelay;
        while (!signals.Requested)
        {
            IHostApplicationLifetime? lifetime = null;
            try
            {
                var app = build();
                lifetime = app.Lifetime;
                signals.Watch(lifetime);
                app.Run();
                return 0;
            }
            catch (Exception exception) when (Find<HeraldStartupException>(exception) is { } problem)
            {
                Console.Error.WriteLine($"Herald cannot start: {problem.Message}");
                return 1;
            }
            catch (Exception) when (signals.Requested && lifetime is { ApplicationStarted.IsCancellationRequested: false })
            {
                return 0;
            }
            catch (Exception exception) when (lifetime is { ApplicationStarted.IsCancellationRequested: false } && DatabaseAway(exception) is { } away)
            {
                Console.Error.WriteLine($"Herald: PostgreSQL went away while this process was starting ({away.Message}); starting again in {delay.TotalSeconds:0.#} s.");
                if (!signals.Wait(delay))
                    return 0;
                delay = delay * 2 < LongestStartAgainDelay ? delay * 2 : LongestStartAgainDelay;
            }
        }

        return 0;
    }

    private static Exception? DatabaseAway(Exception exception) =>
        (Exception?)Find<NpgsqlException>(exception) is { } npgsql && StorageErrors.IsUnavailable(npgsql) ? npgsql : Find<StorageUnavailableException>(exception);

    private static T? Find<T>(Exception? exception)
        where T : Exception => exception switch
    {
        null => null,
        T found => found,
        AggregateException aggregate => aggregate.InnerExceptions.Select(Find<T>).FirstOrDefault(p => p is not null),
        _ => Find<T>(exception.InnerException),
    };

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(Options(args));
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        return builder;
    }
}
