using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Herald.Silo.Runtime;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Silo.Cluster;

/// <summary>
/// Sends grain calls to the silo that holds the grain's partition, over HTTP. While a partition changes owner
/// (no owner yet, the old owner refusing, the owner unreachable) it resolves again and retries, with backoff,
/// until the remote-call timeout; a grain's own exception comes back as <see cref="RemoteGrainException"/>.
/// A call whose answer was lost (the connection dropped after the silo ran it) is sent again, so grain methods
/// called across silos must be safe to run twice, and callers must not read "already done" as a failure.
/// </summary>
internal sealed class RemoteGrainInvoker : IRemoteGrainInvoker, IDisposable
{
    public const string KeyHeader = "X-Herald-Cluster-Key";
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly MethodInfo TypedMethod = typeof(RemoteGrainInvoker).GetMethod(nameof(InvokeTypedAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;
    private readonly ConcurrentDictionary<Type, MethodInfo> _typed = new();
    private readonly NpgsqlDataSource _dataSource;
    private readonly ClusterKey _key;
    private readonly SiloIdentity _identity;
    private readonly IOptions<ClusterOptions> _options;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });

    public RemoteGrainInvoker(NpgsqlDataSource dataSource, ClusterKey key, SiloIdentity identity, IOptions<ClusterOptions> options)
    {
        _dataSource = dataSource;
        _key = key;
        _identity = identity;
        _options = options;
        _http.Timeout = options.Value.RemoteCallTimeout;
    }

    public object Invoke(MethodInfo method, GrainId id, object?[]? args)
    {
        var parameters = method.GetParameters();
        var request = new GrainCallRequest(
            id.Interface.FullName!, id.Key, method.Name,
            parameters.Select((p, i) => JsonSerializer.SerializeToElement(args?[i], p.ParameterType, Json)).ToArray());

        if (method.ReturnType == typeof(Task))
            return SendAsync(request, id);
        var resultType = method.ReturnType.GetGenericArguments()[0];
        return _typed.GetOrAdd(resultType, t => TypedMethod.MakeGenericMethod(t)).Invoke(this, [request, id])!;
    }

    private async Task<T> InvokeTypedAsync<T>(GrainCallRequest request, GrainId id)
    {
        var result = await SendAsync(request, id).ConfigureAwait(false);
        return result is { } element ? element.Deserialize<T>(Json)! : default!;
    }

    private async Task<JsonElement?> SendAsync(GrainCallRequest request, GrainId id)
    {
        var partition = PartitionMap.Of(id.Key);
        var deadline = DateTime.UtcNow + _options.Value.RemoteCallTimeout;
        var delay = TimeSpan.FromMilliseconds(50);
        string? lastProblem = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var address = await OwnerAddressAsync(partition).ConfigureAwait(false);
                if (address is null)
                {
                    lastProblem = $"no silo holds partition {partition}";
                }
                else
                {
                    using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(address), GrainCallApi.Path))
                    {
                        Content = JsonContent.Create(request, options: Json),
                    };
                    message.Headers.Add(KeyHeader, await _key.GetAsync(CancellationToken.None).ConfigureAwait(false));
                    using var response = await _http.SendAsync(message).ConfigureAwait(false);
                    var answer = await response.Content.ReadFromJsonAsync<GrainCallResponse>(Json).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                        return answer?.Result;
                    if (answer is { NotHere: false, Error: { } error } && response.StatusCode != HttpStatusCode.ServiceUnavailable)
                        throw new RemoteGrainException(error);
                    lastProblem = answer?.Error ?? $"HTTP {(int)response.StatusCode} from {address}";
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or NpgsqlException or TaskCanceledException or JsonException)
            {
                lastProblem = exception.Message;
            }

            await Task.Delay(delay).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }

        throw new TimeoutException($"The call {request.Interface}.{request.Method}({request.Key}) found no silo to serve it within {_options.Value.RemoteCallTimeout}: {lastProblem}.");
    }

    private async Task<string?> OwnerAddressAsync(int partition)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT s.address FROM herald_partitions p JOIN herald_silos s ON s.id = p.owner " +
            "WHERE p.partition = $1 AND p.lease_until > now() AND s.status = 'active' AND s.id <> $2");
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = partition });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _identity.Id });
        return await command.ExecuteScalarAsync().ConfigureAwait(false) as string;
    }

    public void Dispose() => _http.Dispose();
}
