using System.ComponentModel.DataAnnotations;

namespace Herald.Silo.Runtime;

/// <summary>Activation lifetime settings, bound from <c>Herald:Grains</c>.</summary>
public sealed class GrainRuntimeOptions
{
    public const string Section = "Herald:Grains";

    /// <summary>An activation with no calls for this long is deactivated, unless it has work in flight.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the idle collector looks for idle activations.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a grain's OnDeactivateAsync may take at shutdown or collection.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a one-way call is retried when its grain fails to activate (doubling the delay each time).</summary>
    [Range(0, 30)]
    public int OneWayActivationRetries { get; set; } = 8;

    /// <summary>The first delay before a one-way call is retried after a failed activation.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan OneWayRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);
}
