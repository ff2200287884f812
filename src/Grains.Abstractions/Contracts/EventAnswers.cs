using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Contracts;

[GenerateSerializer, Immutable, Alias("Herald.EventResponse")]
public sealed record EventResponse(
    long Id, string Source, string? Type, string DeliveryId, DateTimeOffset ReceivedAt, JsonElement Summary, IReadOnlyDictionary<string, string> Headers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Payload)
{
    public static EventResponse From(InboundEvent e, bool includePayload) => new(
        e.Id, e.Source, e.Type, e.DeliveryId, e.ReceivedAt, JsonDocument.Parse(e.Summary).RootElement.Clone(), e.Headers,
        includePayload ? PayloadElement(e.Payload) : null);

    // Stored as received: JSON payloads come back as JSON, anything else as a string.
    private static JsonElement PayloadElement(string payload)
    {
        try
        {
            return JsonDocument.Parse(payload).RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(payload);
        }
    }
}

[GenerateSerializer, Immutable, Alias("Herald.EventListResponse")]
public sealed record EventListResponse(IReadOnlyList<EventResponse> Events, int Count, long? Cursor);

[GenerateSerializer, Immutable, Alias("Herald.SourceResponse")]
public sealed record SourceResponse(string Source, long Count, DateTimeOffset LastSeen);

[GenerateSerializer, Immutable, Alias("Herald.SourceListResponse")]
public sealed record SourceListResponse(IReadOnlyList<SourceResponse> Sources);

[GenerateSerializer, Immutable, Alias("Herald.SourceSummary")]
public sealed record SourceSummary(long Total, IReadOnlyDictionary<string, long> Types);

/// <summary>Counts by source and type over the window, and the actions pending now (from any time).</summary>
[GenerateSerializer, Immutable, Alias("Herald.SummaryResponse")]
public sealed record SummaryResponse(int Hours, DateTimeOffset Since, long Total, IReadOnlyDictionary<string, SourceSummary> Sources, int PendingActions);

[GenerateSerializer, Immutable, Alias("Herald.TrackedRepo")]
public sealed record TrackedRepo(string Repo, int Events, DateTimeOffset LastSeen);

/// <summary>Tracked repositories; <see cref="Truncated"/> when there were more events than one answer reads.</summary>
[GenerateSerializer, Immutable, Alias("Herald.TrackedReposResponse")]
public sealed record TrackedReposResponse(IReadOnlyList<TrackedRepo> Repos, bool Truncated);

[GenerateSerializer, Immutable, Alias("Herald.WaitResponse")]
public sealed record WaitResponse(bool TimedOut, EventResponse? Event, long Cursor);

/// <summary>What happened in one GitHub repository: pushes, commits, contributors, pull requests and issues by action.</summary>
[GenerateSerializer, Immutable, Alias("Herald.GitHubActivity")]
public sealed record GitHubActivity(
    string Repo, int Hours, DateTimeOffset Since, int Pushes, int Commits, IReadOnlyList<string> Contributors,
    IReadOnlyDictionary<string, int> PullRequests, IReadOnlyDictionary<string, int> Issues, IReadOnlyList<string> RecentCommits, bool Truncated,
    int TotalEvents, IReadOnlyDictionary<string, int> EventsByType, IReadOnlyList<EventResponse> RecentEvents);
