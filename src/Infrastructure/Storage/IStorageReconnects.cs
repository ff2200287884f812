namespace Herald.Infrastructure.Storage;

/// <summary>
/// Storage that several processes share, whose notifications can be lost while the connection to it is down: it says
/// when it is back, so that what was announced meanwhile (appends, endpoint changes, wakes) is looked for again.
/// </summary>
public interface IStorageReconnects
{
    event Action? Reconnected;
}
