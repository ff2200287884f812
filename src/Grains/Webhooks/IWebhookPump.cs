using Orleans.Concurrency;

namespace Herald.Grains.Webhooks;

/// <summary>
/// The webhook grain's call to itself when an attempt's answer is in: a one-way message into its own inbox, so the
/// answer is recorded in a turn of its own, after the turn in progress. Not for other callers.
/// </summary>
[Alias("Herald.IWebhookPump")]
public interface IWebhookPump : IGrainWithStringKey
{
    [OneWay]
    [Alias("Pump")]
    Task PumpAsync();
}
