using System.Globalization;

namespace Herald.Bench.Peers;

/// <summary>One SSE server in the comparison: where listeners subscribe, how a message is published, which processes to charge.</summary>
public interface ISseServer : IAsyncDisposable
{
    /// <summary>herald-&lt;mode&gt;, nchan or raw-kestrel.</summary>
    string Name { get; }

    Uri BaseAddress { get; }

    string SubscribePath { get; }

    /// <summary>The server's processes, whose CPU and memory the run is charged.</summary>
    IReadOnlyList<int> Pids { get; }

    /// <summary>Publishes the message carrying <paramref name="token"/>; done when the server has accepted it.</summary>
    Task PublishAsync(long token);

    /// <summary>Methods the JIT compiled so far (the warm-up waits until it settles), or the harness's alone.</summary>
    Task<long> CompiledMethodsAsync();
}

public sealed class HeraldSseServer(HeraldUnderTest herald) : ISseServer
{
    public string Name => $"herald-{herald.Mode}";

    public Uri BaseAddress => herald.Process.BaseAddress;

    public string SubscribePath => "/stream";

    public IReadOnlyList<int> Pids => herald.Pids;

    public HeraldUnderTest Herald => herald;

    public Task PublishAsync(long token) => herald.PushAsync(SseTraffic.Message(token));

    public Task<long> CompiledMethodsAsync() => herald.CompiledMethodsAsync();

    public ValueTask DisposeAsync() => herald.DisposeAsync();
}

public sealed class NchanSseServer(NchanServer nchan) : ISseServer
{
    public string Name => "nchan";

    public Uri BaseAddress => nchan.BaseAddress;

    public string SubscribePath => "/sub";

    public IReadOnlyList<int> Pids => nchan.Pids;

    public Task PublishAsync(long token) => nchan.PublishAsync(token);

    public Task<long> CompiledMethodsAsync() => WarmUp.HarnessMethodsAsync();

    public ValueTask DisposeAsync() => nchan.DisposeAsync();
}

/// <summary>The raw writer (<see cref="RawSseServer"/>) in a child process.</summary>
public sealed class RawSseProcess : ISseServer
{
    private readonly PeerProcess _process;
    private readonly HttpClient _http;

    private RawSseProcess(PeerProcess process)
    {
        _process = process;
        BaseAddress = new Uri(process.Greeting["listening ".Length..]);
        _http = new HttpClient { BaseAddress = BaseAddress };
    }

    public static async Task<RawSseProcess> StartAsync() => new(await PeerProcess.StartAsync("raw-sse"));

    public string Name => "raw-kestrel";

    public Uri BaseAddress { get; }

    public string SubscribePath => "/sse";

    public IReadOnlyList<int> Pids => [_process.Pid];

    public async Task PublishAsync(long token)
    {
        using var response = await _http.PostAsync(string.Create(CultureInfo.InvariantCulture, $"/publish?token={token}"), null);
        response.EnsureSuccessStatusCode();
    }

    public Task<long> CompiledMethodsAsync() => WarmUp.HarnessMethodsAsync();

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
    }
}
