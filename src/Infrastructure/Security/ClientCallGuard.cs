using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Herald.Contracts;
using Herald.Grains.Telemetry;

namespace Herald.Infrastructure.Security;

/// <summary>
/// Confines Orleans clients to the API's entry grain. A client that holds the cluster's certificate (the MCP bridge)
/// may call <see cref="IHeraldApiGrain"/>, which applies the API's keys, scopes and rules, and the system target that
/// tells clients the cluster's grain types; every other grain (broadcasters, webhook grains, the management grain,
/// stream rendezvous) refuses it. Calls between silos, and from a silo's own code, pass untouched.
/// </summary>
public sealed partial class ClientCallGuard : IIncomingGrainCallFilter
{
    // Every Orleans client's first calls: the gateway's copy of the cluster manifest, to learn which grains exist where.
    private static readonly GrainType ManifestProvider = SystemTargetGrainId.CreateGrainType("manifest");

    // Silos call grains from outside any grain (a request handler, a hosted service) as a client of their own, named
    // after the silo; a remote client's id is a random GUID.
    private static ReadOnlySpan<byte> HostedClientPrefix => "hosted-"u8;

    private readonly ConcurrentDictionary<(GrainId Client, string Interface), bool> _logged = new();
    private readonly Counter<long> _refused;
    private readonly ILogger<ClientCallGuard> _logger;

    public ClientCallGuard(ILogger<ClientCallGuard> logger, IMeterFactory meters)
    {
        _logger = logger;
        _refused = meters.Create(HeraldTelemetry.MeterName).CreateCounter<long>("herald.cluster.client_calls.refused", "{call}",
            "Grain calls from Orleans clients refused because they target a grain other than the API's entry grain.");
    }

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.SourceId is not { } source || !source.IsClient() || Allowed(source, context))
            return context.Invoke();

        _refused.Add(1);
        var target = $"{context.InterfaceName}.{context.MethodName}";
        if (_logged.Count < 1024 && _logged.TryAdd((source, context.InterfaceName), true))
            Refused(_logger, source.ToString(), target, context.TargetId.ToString());
        throw new ClusterAccessDeniedException(
            $"{target} is internal to the Herald cluster: Orleans clients may call {nameof(IHeraldApiGrain)} only, with an API key, as the MCP bridge does.");
    }

    private static bool Allowed(GrainId source, IIncomingGrainCallContext context) =>
        source.Key.AsSpan().StartsWith(HostedClientPrefix)
        || context.TargetContext.GrainInstance is IHeraldApiGrain
        || context.TargetId.Type.Equals(ManifestProvider);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning,
        Message = "Refused a grain call from Orleans client {Client} to {Method} on {Grain}: clients may call the API's entry grain only (logged once per client and interface)")]
    private static partial void Refused(ILogger logger, string client, string method, string grain);
}
