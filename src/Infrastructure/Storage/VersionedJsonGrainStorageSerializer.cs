using System.Text.Json;
using Orleans.Storage;

namespace Herald.Infrastructure.Storage;

/// <summary>
/// Grain state as JSON in an envelope that names its format version: <c>{"v":1,"state":{…}}</c>. Readable by people
/// and by Herald's own status queries, and safe to evolve: a state written by a newer Herald, or in an unknown
/// format, fails with a message that says so instead of being read as something else.
/// </summary>
public sealed class VersionedJsonGrainStorageSerializer : IGrainStorageSerializer
{
    public const int Version = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public BinaryData Serialize<T>(T? input) => BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(new Envelope<T>(Version, input), Json));

    public T Deserialize<T>(BinaryData input)
    {
        Envelope<T>? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope<T>>(input.ToMemory().Span, Json);
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"Stored {typeof(T).Name} is not Herald's JSON grain state: {exception.Message}", exception);
        }

        if (envelope is null || envelope.V != Version)
            throw new InvalidOperationException($"Stored {typeof(T).Name} has format version {envelope?.V}; this Herald reads version {Version}.");
        return envelope.State!;
    }

    private sealed record Envelope<T>(int V, T? State);
}
