namespace Herald.Runtime;

/// <summary>
/// The caller does not wait for the call to run: the message is queued in the grain's mailbox and the
/// returned task is already complete. Used for wake-ups on the fan-out path, where waiting would make a push
/// cost as much as its slowest subscriber.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OneWayAttribute : Attribute;
