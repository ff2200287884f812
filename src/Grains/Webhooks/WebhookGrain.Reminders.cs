namespace Herald.Grains.Webhooks;

/// <summary>The retry reminder: registered while a retry waits, so the grain comes back for it after a collection or its silo's death.</summary>
public sealed partial class WebhookGrain
{
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Being activated was the point: the step finds the pending retry, or the backlog, in the log.
        _readLog = true;
        await StepAsync();
        EndIfGone();
    }

    /// <summary>
    /// Makes sure a reminder brings the grain back when the retry is due, should it be collected or its silo die
    /// meanwhile; it then ticks every <see cref="DeliveryOptions.ReminderPeriod"/> until the endpoint has caught up.
    /// Registered once per scheduled retry (a storage write), so a grain can be collected while it waits.
    /// </summary>
    private async Task EnsureReminderAsync(DateTimeOffset due, DateTimeOffset now)
    {
        if (_reminderRegistered && _reminderDue == due)
            return;
        try
        {
            await this.RegisterOrUpdateReminder(RetryReminder, due - now, options.Value.ReminderPeriod);
            _reminderRegistered = true;
            _reminderDue = due;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The grain retries while it is active anyway; the next step tries to register again.
            GrainLogMessages.ReminderFailed(logger, exception, Key);
        }
    }

    private async Task ClearReminderAsync()
    {
        if (!_reminderRegistered)
            return;
        try
        {
            if (await this.GetReminder(RetryReminder) is { } reminder)
                await this.UnregisterReminder(reminder);
            _reminderRegistered = false;
            _reminderDue = null;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A reminder left behind only wakes a caught-up grain, which finds nothing to do and clears it again.
            GrainLogMessages.ReminderFailed(logger, exception, Key);
        }
    }
}
