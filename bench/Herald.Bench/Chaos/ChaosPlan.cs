namespace Herald.Bench.Chaos;

/// <summary>A chaos run's schedule: how long, at what push rate, and which faults in rotation how often (none: the same run without faults).</summary>
public sealed record ChaosPlan(double Seconds, int Rate, double FaultEverySeconds, string[] Faults, string GrainDirectory = "classic", int Receivers = 20, int Listeners = 4)
{
    public static readonly string[] KnownFaults = ["sigkill-silo", "sigterm-silo", "sigkill-gateway", "pg-restart"];

    /// <summary>
    /// Receivers r0 and r1 answer 503 for the first 30 s; r2 takes 10 ms per request (slow, though able to keep up with
    /// the run's rate, since an endpoint gets its messages one at a time); the rest are healthy.
    /// </summary>
    public static readonly TimeSpan FailingFor = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan SlowBy = TimeSpan.FromMilliseconds(10);

    public const int FirstHealthyReceiver = 3;

    public bool WithFaults => Faults.Length > 0 && FaultEverySeconds > 0;
}
