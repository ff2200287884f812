namespace Herald.Infrastructure;

/// <summary>
/// A reason this process cannot start that the operator can fix (a data folder in use, a bad setting). The
/// executables print its message alone and exit with code 1; it needs no stack trace to be understood.
/// </summary>
public sealed class HeraldStartupException(string message, Exception? innerException = null) : Exception(message, innerException);
