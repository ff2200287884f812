namespace Herald.Contracts;

/// <summary>
/// What one silo reports about itself: its listeners (and how many each topic filter has, or null when it has more
/// distinct filters than it reports), its running attempt totals and its storage backlog.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Herald.SiloStats")]
public sealed record SiloStats(
    [property: Id(0)] string SiloAddress,
    [property: Id(1)] string Role,
    [property: Id(2)] bool HostsWebhooks,
    [property: Id(3)] int SseConnections,
    [property: Id(4)] long AttemptsSucceeded,
    [property: Id(5)] long AttemptsFailed,
    [property: Id(6)] int PendingStorageWrites,
    [property: Id(7)] int WebhookGrains,
    [property: Id(8)] DateTimeOffset ReportedAt,
    [property: Id(9)] IReadOnlyDictionary<string, int>? ListenerFilters = null);
