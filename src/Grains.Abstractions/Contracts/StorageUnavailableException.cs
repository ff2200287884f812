namespace Herald.Contracts;

/// <summary>
/// Storage could not be used just now (PostgreSQL unreachable or restarting, the data file busy), as a grain call
/// reports it to a caller on another silo. The driver's own exception stays on the silo that met it: its type is not
/// one Orleans can carry, and its message is all the caller acts on.
/// </summary>
[GenerateSerializer]
[Alias("Herald.StorageUnavailableException")]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
