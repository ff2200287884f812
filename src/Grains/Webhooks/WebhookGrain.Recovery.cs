using Herald.Contracts;

namespace Herald.Grains.Webhooks;

public sealed partial class WebhookGrain
{
    // A write takes milliseconds; the margin covers a busy machine. The rounds bound the wait when the other
    // activation keeps writing (it is told to go within a membership round, about a second).
    private static readonly TimeSpan PreviousActivationMargin = TimeSpan.FromMilliseconds(250);
    private const int PreviousActivationRounds = 8;

    /// <summary>
    /// The stored state says the last activation did not close: its silo died, or it still runs. The second happens
    /// while membership changes (the classic grain directory forgets a registration whose directory silo left, and the
    /// next call activates the grain elsewhere before the old activation is told to go), and two activations
    /// delivering at once send the same messages twice. An activation that delivers writes its state at least every
    /// <see cref="Delivery.DeliveryOptions.StateWriteDelay"/>, and one that is told to go writes it closed; so this one
    /// waits until a write interval passes with no write (nobody is delivering) or the state is closed, then takes the
    /// progress from there. A crash costs the endpoint that wait once; a handover costs no redelivery.
    /// </summary>
    private async Task WaitForPreviousActivationAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.StateWriteDelay + PreviousActivationMargin;
        for (var round = 0; round < PreviousActivationRounds && persisted.State.Open; round++)
        {
            var etag = persisted.Etag;
            await Task.Delay(interval, time, cancellationToken);
            try
            {
                await persisted.ReadStateAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Storage is away: delivery resumes from what was read, as after any crash.
                GrainLogMessages.ProgressNotRecovered(logger, exception, Key);
                return;
            }

            if (persisted.Etag == etag)
                return;
        }
    }

    /// <summary>
    /// State is written behind, so an activation whose silo died may have delivered well past its stored cursor. Its
    /// attempts were committed within milliseconds (the attempt log is group-committed, not written behind), so they
    /// tell how far it got: replaying them onto the stored state (<see cref="DeliveryState.After"/>, as live delivery does) keeps a crash from redelivering all of that. Only
    /// attempts after the stored state's last one, and after the last replay or enable, count.
    /// </summary>
    private async Task RecoverProgressAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<DeliveryAttempt> attempts;
        try
        {
            attempts = (await attemptLog.ListAsync(Key, options.Value.AttemptRetentionPerEndpoint, cancellationToken)).Attempts;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Redelivering from the stored cursor is what at-least-once allows; refusing to activate would deliver nothing.
            GrainLogMessages.ProgressNotRecovered(logger, exception, Key);
            return;
        }

        var since = Max(_state.LastAttempt?.Timestamp, _state.RebasedAt);
        var recovered = _state;
        foreach (var attempt in attempts.Where(a => (since is null || a.Timestamp > since) && a.MessageId > _state.Cursor).OrderBy(a => a.Timestamp))
            recovered = recovered.After(attempt);
        if (recovered == _state)
            return;
        GrainLogMessages.ProgressRecovered(logger, Key, _state.Cursor, recovered.Cursor);
        Save(recovered);
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
