using Herald.Contracts;

namespace Herald.Application.Push;

/// <summary>
/// Collects the first-attempt outcomes of one push that waits for them. The webhook grains report to it through an
/// Orleans observer reference, from whichever silo they live on; each endpoint counts once. It lives in the gateway
/// (observers cannot be created inside a grain; the MCP bridge makes its own as an Orleans client), so the broadcaster never holds a call open for the wait.
/// </summary>
public sealed class FirstAttemptWatch : IFirstAttemptObserver, IDisposable
{
    private readonly IGrainFactory _grains;
    private readonly Lock _gate = new();
    private readonly Dictionary<(long Seq, string EndpointId), bool> _reports = [];
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _seq = -1;
    private HashSet<string>? _expected;

    public FirstAttemptWatch(IGrainFactory grains)
    {
        _grains = grains;
        Observer = grains.CreateObjectReference<IFirstAttemptObserver>(this);
    }

    public IFirstAttemptObserver Observer { get; }

    // Reports can come before the push knows its sequence number and subscribers: they are kept until it does.
    public Task FirstAttemptAsync(long seq, string endpointId, bool succeeded)
    {
        lock (_gate)
        {
            _reports.TryAdd((seq, endpointId), succeeded);
            CompleteIfDoneLocked();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The number of <paramref name="endpoints"/> whose first attempt at <paramref name="seq"/> succeeded, once all have
    /// reported or at the deadline.
    /// </summary>
    public async Task<int> WaitAsync(long seq, IReadOnlyCollection<string> endpoints, TimeSpan timeout)
    {
        lock (_gate)
        {
            _seq = seq;
            _expected = new HashSet<string>(endpoints, StringComparer.Ordinal);
            CompleteIfDoneLocked();
        }

        try
        {
            await _complete.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
        }

        lock (_gate)
            return _expected.Count(id => _reports.TryGetValue((seq, id), out var succeeded) && succeeded);
    }

    private void CompleteIfDoneLocked()
    {
        if (_expected is not null && _expected.All(id => _reports.ContainsKey((_seq, id))))
            _complete.TrySetResult();
    }

    public void Dispose() => _grains.DeleteObjectReference<IFirstAttemptObserver>(Observer);
}
