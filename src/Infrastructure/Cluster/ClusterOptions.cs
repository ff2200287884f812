using System.ComponentModel.DataAnnotations;
using Herald.Infrastructure.Security;

namespace Herald.Infrastructure.Cluster;

/// <summary>
/// How this process runs as an Orleans silo, bound from <c>Herald:Cluster</c>. Most of it matters in cluster mode
/// only; an embedded hub is a single silo on loopback whatever is set here.
/// </summary>
public sealed class ClusterOptions : IValidatableObject
{
    public const string Section = "Herald:Cluster";

    /// <summary>Silos with the same cluster id (and one database) form one cluster.</summary>
    [Required]
    [StringLength(150, MinimumLength = 1)]
    public string ClusterId { get; set; } = "herald";

    /// <summary>Names the stored state (grain state, reminders) across deployments of the cluster; keep it stable.</summary>
    [Required]
    [StringLength(150, MinimumLength = 1)]
    public string ServiceId { get; set; } = "herald";

    /// <summary>This process's name in the membership table and <c>/api/cluster</c>. Default: the role plus a random suffix.</summary>
    [StringLength(150)]
    public string? SiloName { get; set; }

    /// <summary>Whether webhook grains may be placed on this process. A gateway may be set to false, leaving delivery to the silos.</summary>
    public bool HostsWebhooks { get; set; } = true;

    /// <summary>
    /// The address other silos (and Orleans clients) reach this one on: an IP address or a DNS name resolved at start.
    /// Default: 127.0.0.1, so a cluster on one machine needs nothing; set it on every process of a multi-host cluster.
    /// </summary>
    [StringLength(255)]
    public string? AdvertisedHost { get; set; }

    /// <summary>Listen on every interface rather than only the advertised address (containers advertise one address but are reached through another).</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>The port silos talk to each other on. 0 takes a free port at start; the membership table tells the others which.</summary>
    [Range(0, 65535)]
    public int SiloPort { get; set; }

    /// <summary>The port Orleans clients (the MCP bridge) connect to. 0 takes a free port at start; -1 offers none. Embedded mode offers none.</summary>
    [Range(-1, 65535)]
    public int GatewayPort { get; set; }

    /// <summary>
    /// How long a probe of another silo may take, and how often silos probe each other. A killed silo refuses its
    /// probes at once, so it is declared dead after about <see cref="MissedProbesLimit"/> probe periods; a live but
    /// busy one (a loaded machine) answers late, and a short timeout would declare it dead by mistake.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Missed probes after which a silo suspects another.</summary>
    [Range(1, 10)]
    public int MissedProbesLimit { get; set; } = 2;

    /// <summary>Suspicions needed to declare a silo dead (fewer when fewer silos are alive).</summary>
    [Range(1, 10)]
    public int VotesForDeath { get; set; } = 2;

    /// <summary>How often each silo writes that it is alive into the membership table.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan IAmAliveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Missed "I am alive" writes after which a silo's row is stale. After a whole-cluster crash, the rows of the old
    /// silos stop a new one from joining for about <see cref="IAmAliveInterval"/> times this, not minutes.
    /// </summary>
    [Range(1, 10)]
    public int MissedIAmAliveLimit { get; set; } = 2;

    /// <summary>
    /// How often each silo reads the membership table. A silo that declares another dead tells only a few peers
    /// directly (gossip); the rest learn it from the table, so this bounds how long they keep calling a dead silo.
    /// Orleans's default is a minute.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan TableRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long dead silos stay in the membership table, and so in <c>/api/cluster</c>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan DeadRetention { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a grain call may take before it fails with a timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A webhook grain with no calls for this long is deactivated; an idle endpoint costs no memory after it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan IdleGrainAge { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often idle grains are looked for; must be shorter than <see cref="IdleGrainAge"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Orleans's floor for reminder periods; Herald:Delivery:ReminderPeriod may not be shorter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan MinimumReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether Orleans's dashboard runs: every silo then collects its statistics (an OpenTelemetry reader of Orleans's
    /// metrics, sampled every second) and gateways serve it at <c>/orleans</c>. Set it alike on every process. Null
    /// means by mode: on in a cluster, off in an embedded hub, where it would cost about 40 MB and a second of startup.
    /// </summary>
    public bool? OrleansDashboard { get; set; }

    public bool RunsOrleansDashboard(bool cluster) => OrleansDashboard ?? cluster;

    /// <summary>
    /// How many grain locations each silo caches. Orleans allocates the cache's table up front (about 19 bytes an
    /// entry), so its default of a million would cost 18 MB in every process; beyond it, calls look locations up.
    /// </summary>
    [Range(1000, 10_000_000)]
    public int DirectoryCacheSize { get; set; } = 100_000;

    /// <summary>Mutual TLS on the silo and gateway ports (<c>Herald:Cluster:Tls</c>).</summary>
    public ClusterTlsOptions Tls { get; set; } = new();

    /// <summary>How often each silo reports its listeners, attempt totals and storage backlog for <c>/api/cluster</c> and rates.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan StatsInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Which grain directory the cluster runs on. Classic by measurement (README, Cluster mode): under a fault every
    /// 10 s at 50 pushes/s both lost nothing and kept order, but the distributed one left endpoints idle for 17 to 26 s
    /// after each silo's death while its ranges were leased, where the classic one resumed them within 0.1 s.
    /// </summary>
    public GrainDirectoryKind GrainDirectory { get; set; } = GrainDirectoryKind.Classic;

    /// <summary>
    /// How often a cluster sweeps for endpoints with messages to deliver and no running grain, whatever else happened:
    /// the net under the sweeps that silo changes and storage's return trigger. A sweep reads each endpoint's state.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CollectionQuantum >= IdleGrainAge)
            yield return new ValidationResult("CollectionQuantum must be shorter than IdleGrainAge.", [nameof(CollectionQuantum)]);
        if (SiloPort != 0 && SiloPort == GatewayPort)
            yield return new ValidationResult("SiloPort and GatewayPort must differ.", [nameof(GatewayPort)]);

        // Data annotations do not look inside nested options.
        var tls = new List<ValidationResult>();
        Validator.TryValidateObject(Tls, new ValidationContext(Tls), tls, validateAllProperties: true);
        foreach (var problem in tls)
            yield return new ValidationResult($"Tls: {problem.ErrorMessage}", problem.MemberNames.Select(m => $"{nameof(Tls)}:{m}").ToArray());
    }
}

/// <summary>
/// Distributed: Orleans's strongly consistent directory (experimental in 10.4): one activation per grain while silos
/// join and leave, but a dead silo's ranges are leased before anyone may activate their grains again. Classic:
/// Orleans's default, an eventually consistent hash ring with no leases, where two activations of a grain can briefly
/// coexist while membership changes.
/// </summary>
public enum GrainDirectoryKind
{
    Distributed,
    Classic,
}
