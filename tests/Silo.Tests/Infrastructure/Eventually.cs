using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Herald.Silo.Tests.Infrastructure;

/// <summary>Awaits a condition with a deadline instead of sleeping for a guessed time.</summary>
internal static class Eventually
{
    /// <summary>Generous, so a loaded CI machine does not fail a correct test; a passing condition returns at once.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    public static Task TrueAsync(
        Func<bool> condition,
        TimeSpan timeout,
        [CallerArgumentExpression(nameof(condition))] string? expression = null) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, expression);

    public static async Task TrueAsync(
        Func<Task<bool>> condition,
        TimeSpan timeout,
        [CallerArgumentExpression(nameof(condition))] string? expression = null)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) >= timeout)
                Assert.Fail($"Condition was still false after {timeout.TotalSeconds:0.###} s: {expression}");
            await Task.Delay(PollInterval);
        }
    }
}
