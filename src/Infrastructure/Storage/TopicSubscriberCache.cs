using Herald.Contracts;

namespace Herald.Infrastructure.Storage;

/// <summary>
/// Each topic's subscribers, kept until any endpoint changes, so a push costs one lookup rather than a read of every
/// endpoint. Bounded: topics are free-form, so a stream of distinct topics must not grow it forever.
/// </summary>
internal sealed class TopicSubscriberCache
{
    private const int MaxTopics = 1024;
    private Dictionary<string, EndpointDefinition[]> _byTopic = new(StringComparer.Ordinal);

    /// <summary>
    /// The enabled endpoints whose filter matches <paramref name="topic"/>, in registration order, from
    /// <paramref name="readEnabled"/> (every enabled endpoint in that order) when the topic is not cached.
    /// </summary>
    public async ValueTask<IReadOnlyList<EndpointDefinition>> GetAsync(
        string topic, Func<CancellationToken, ValueTask<IReadOnlyList<EndpointDefinition>>> readEnabled, CancellationToken cancellationToken)
    {
        // A change while the endpoints are read replaces the dictionary, so what was read goes into the dropped one.
        var cache = Volatile.Read(ref _byTopic);
        lock (cache)
        {
            if (cache.TryGetValue(topic, out var cached))
                return cached;
        }

        var subscribers = (await readEnabled(cancellationToken).ConfigureAwait(false)).Where(e => e.Filter.Matches(topic)).ToArray();
        lock (cache)
        {
            if (cache.Count >= MaxTopics)
                cache.Clear();
            cache[topic] = subscribers;
        }

        return subscribers;
    }

    /// <summary>An endpoint was added, changed or removed (here or, in a cluster, anywhere).</summary>
    public void Invalidate() => Volatile.Write(ref _byTopic, new Dictionary<string, EndpointDefinition[]>(StringComparer.Ordinal));
}
