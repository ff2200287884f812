using System.ComponentModel.DataAnnotations;

namespace Herald.Grains.Delivery;

/// <summary>The delivery policy, bound from <c>Herald:Delivery</c>. Tests shrink these to milliseconds.</summary>
public sealed class DeliveryOptions : IValidatableObject
{
    public const string Section = "Herald:Delivery";

    /// <summary>Svix's schedule: after the immediate first attempt, retries wait these delays (with jitter).</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetrySchedule =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(14), TimeSpan.FromHours(20), TimeSpan.FromHours(24),
    ];

    /// <summary>How long one attempt may take, connect to last byte. A push also waits this long for first attempts.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Delays before each retry. Null means <see cref="DefaultRetrySchedule"/>; an empty list means no retries.</summary>
    public TimeSpan[]? RetrySchedule { get; set; }

    /// <summary>Each retry delay is spread by up to this fraction either way, so retries of many endpoints do not stampede.</summary>
    [Range(0.0, 1.0)]
    public double Jitter { get; set; } = 0.2;

    /// <summary>An endpoint that has failed without a single success for this long is disabled.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "365.00:00:00")]
    public TimeSpan AutoDisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>The longest <c>Retry-After</c> honoured from a 429 or 503.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How much of each response body the attempt log keeps.</summary>
    [Range(0, 65536)]
    public int ResponseCaptureBytes { get; set; } = 1024;

    /// <summary>How many attempts the attempt log keeps per endpoint.</summary>
    [Range(1, 100_000)]
    public int AttemptRetentionPerEndpoint { get; set; } = 100;

    /// <summary>
    /// How many log entries a webhook grain reads ahead at once, and the most it holds ahead of its attempts: entries
    /// that wakes carry beyond that are read from the log when the grain gets to them.
    /// </summary>
    [Range(1, 10_000)]
    public int ReadBatchSize { get; set; } = 64;

    /// <summary>
    /// How long a webhook grain lets its state changes gather before it writes them (one write however many
    /// deliveries happened meanwhile). A crash loses at most this much progress: those messages are delivered again,
    /// with the same webhook-id. Status reads see progress this late at most.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan StateWriteDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// While a retry is pending, a reminder with this period brings the grain back after a crash or deactivation. It
    /// must not be shorter than Orleans's minimum reminder period (Herald:Cluster:MinimumReminderPeriod).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a webhook grain waits before trying again after its storage or log failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan FaultBackoff { get; set; } = TimeSpan.FromSeconds(1);

    [Required]
    [StringLength(200, MinimumLength = 1)]
    public string UserAgent { get; set; } = "Herald-Webhooks/1.0";

    /// <summary>
    /// Whether deliveries may reach loopback, private, link-local and metadata addresses. Null means by mode:
    /// allowed in embedded mode (local receivers are the norm there), blocked in cluster mode.
    /// </summary>
    public bool? AllowPrivateNetworks { get; set; }

    /// <summary>CIDR networks deliveries may always reach, even when private networks are blocked (e.g. 10.1.0.0/16).</summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>
    /// Send the W3C <c>traceparent</c> of a traced delivery to the receiver. Off by default: a receiver outside the
    /// operator's control would learn trace ids, and would join its own spans to Herald's traces.
    /// </summary>
    public bool SendTraceContext { get; set; }

    public IReadOnlyList<TimeSpan> EffectiveRetrySchedule => RetrySchedule ?? DefaultRetrySchedule;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetrySchedule is { Length: > 100 })
            yield return new ValidationResult("At most 100 retries can be scheduled.", [nameof(RetrySchedule)]);
        if (RetrySchedule?.Any(d => d < TimeSpan.Zero) == true)
            yield return new ValidationResult("Retry delays must not be negative.", [nameof(RetrySchedule)]);
        foreach (var network in AllowedNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
            yield return new ValidationResult($"'{network}' is not a CIDR network such as 10.0.0.0/8.", [nameof(AllowedNetworks)]);
    }
}
