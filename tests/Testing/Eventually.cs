using System.Diagnostics;
using System.Runtime.CompilerServices;
using Xunit;

namespace Herald.Testing;

/// <summary>Awaits a condition with a deadline instead of sleeping for a guessed time.</summary>
public static class Eventually
{
    /// <summary>Generous, so a loaded CI machine does not fail a correct test; a passing condition returns at once.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, [CallerArgumentExpression(nameof(condition))] string? expression = null) =>
        TrueAsync(() => Task.FromResult(condition()), expression ?? "the condition held", timeout);

    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, [CallerArgumentExpression(nameof(condition))] string? expression = null) =>
        TrueAsync(condition, expression ?? "the condition held", timeout);

    public static Task TrueAsync(Func<bool> condition, string because, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), because, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Timeout;
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) >= limit)
                Assert.Fail($"Timed out after {limit.TotalSeconds:0.###} s waiting until {because}.");
            await Task.Delay(PollInterval);
        }
    }
}
