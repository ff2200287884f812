using Herald.Contracts;

namespace Herald.Infrastructure.Storage;

/// <summary>
/// Turns a storage outage met inside a grain call into <see cref="StorageUnavailableException"/> before it leaves the
/// silo: Npgsql's exceptions carry fields Orleans has no codec for, so a caller on another silo got a serialization
/// error instead of a reason it can answer 503 for and retry.
/// </summary>
internal sealed class StorageErrorBoundary : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        // Most calls complete at once or succeed: they pay no await here.
        var call = context.Invoke();
        return call.IsCompletedSuccessfully ? call : Guarded(call);
    }

    private static async Task Guarded(Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not StorageUnavailableException && StorageErrors.IsUnavailable(exception))
        {
            throw new StorageUnavailableException($"Storage is unavailable: {exception.GetBaseException().Message}");
        }
    }
}
