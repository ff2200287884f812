namespace Herald.Runtime;

/// <summary>
/// Calls to this grain may interleave at their awaits. They still never run in parallel: all of a grain's code
/// runs one piece at a time on the activation's own scheduler.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ReentrantAttribute : Attribute;
