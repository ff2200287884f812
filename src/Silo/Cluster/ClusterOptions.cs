using System.ComponentModel.DataAnnotations;

namespace Herald.Silo.Cluster;

/// <summary>Membership and placement settings, bound from <c>Herald:Cluster</c>; used in cluster mode only.</summary>
public sealed class ClusterOptions : IValidatableObject
{
    public const string Section = "Herald:Cluster";

    /// <summary>This process's id in the membership table. Default: the role plus a random suffix.</summary>
    [StringLength(100)]
    public string? SiloId { get; set; }

    /// <summary>Whether this process holds partitions and so runs webhook grains. A gateway may be set to false.</summary>
    public bool OwnsPartitions { get; set; } = true;

    /// <summary>The URL other processes use for grain calls to this one. Default: the first address it listens on.</summary>
    [StringLength(2048)]
    public string? AdvertisedAddress { get; set; }

    /// <summary>How often membership heartbeats and partition leases are renewed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A lease not renewed for this long expires, and a silo that missed heartbeats for this long is dead; a
    /// silo whose database session ended (killed, crashed) is found dead at once. Bounds failover.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:10:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long dead silos stay listed in <c>/api/cluster</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan DeadRetention { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a grain call to another silo keeps trying while a partition changes owner.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan RemoteCallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The key silo-to-silo grain calls must carry. Unset, the cluster makes a random one and keeps it in
    /// PostgreSQL (see <see cref="ClusterKey"/>); set it to rotate it or to keep it out of the database.
    /// </summary>
    [StringLength(512, MinimumLength = 16)]
    public string? InternalKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HeartbeatInterval * 2 >= LeaseDuration)
            yield return new ValidationResult("LeaseDuration must be more than twice HeartbeatInterval, or leases lapse between renewals.", [nameof(LeaseDuration)]);
    }
}
