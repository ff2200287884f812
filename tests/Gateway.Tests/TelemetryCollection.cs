namespace Herald.Gateway.Tests;

/// <summary>
/// Metrics and traces are process-wide: a meter or an activity source of one server is heard by every listener in the
/// process. Tests that count exact values run alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
