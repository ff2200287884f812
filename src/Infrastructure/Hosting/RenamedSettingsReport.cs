using Herald.Infrastructure.MessageLog;

namespace Herald.Infrastructure.Hosting;

/// <summary>
/// Says at start which settings are still given under a section's former name: they keep working, and the line tells
/// the operator what to rename them to.
/// </summary>
internal sealed partial class RenamedSettingsReport(IConfiguration configuration, ILogger<RenamedSettingsReport> logger) : IHostedService
{
    /// <summary>Every renamed section: its former name, and its name now.</summary>
    public static readonly IReadOnlyList<(string Former, string Current)> Renamed = [(LogOptions.FormerSection, LogOptions.Section)];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (former, current) in Renamed)
        {
            var keys = configuration.GetSection(former).AsEnumerable(makePathsRelative: true).Where(k => k.Value is not null).Select(k => k.Key).Order(StringComparer.Ordinal).ToArray();
            if (keys.Length > 0)
                SectionRenamed(logger, former, current, string.Join(", ", keys));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1030, Level = LogLevel.Warning, Message = "{Former} is now {Current}: {Keys} set under the former name are read as before; move them, since a key set under both takes the value under the new name")]
    private static partial void SectionRenamed(ILogger logger, string former, string current, string keys);
}
