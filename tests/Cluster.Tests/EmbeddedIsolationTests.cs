using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Herald.Cluster.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Cluster.Tests;

/// <summary>
/// An embedded hub with API keys, tried from another process on the same machine: its silo port is on loopback, but
/// its TLS certificate is made at start and held in memory, so nothing else can join it or call its grains.
/// </summary>
public sealed class EmbeddedIsolationTests
{
    [Fact]
    public async Task An_embedded_hub_refuses_a_silo_and_a_client_started_beside_it_while_its_api_keeps_its_keys()
    {
        var key = TestKeys.ByScope["all"];
        await using var hub = await HeraldProcess.StartGatewayAsync("embedded", TestKeys.ProcessSettings());
        await hub.WaitReadyAsync();
        using (var anonymous = await hub.Client.GetAsync("/api/cluster"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        hub.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var cluster = await hub.Client.GetFromJsonAsync<JsonElement>("/api/cluster");
        var siloPort = IPEndPoint.Parse(cluster.GetProperty("silos")[0].GetProperty("address").GetString()!);
        Assert.True(IPAddress.IsLoopback(siloPort.Address), $"the embedded silo listens on loopback only, not {siloPort.Address}");

        // The attack: a silo with localhost clustering whose primary is the hub's silo port.
        await Assert.ThrowsAnyAsync<Exception>(() => OrleansIntruder.SiloAsync(siloPort));

        // A client pointed at the same port; an embedded hub offers no client gateway at all.
        await Assert.ThrowsAnyAsync<Exception>(() => OrleansIntruder.ClientAsync(siloPort));
        await Eventually.TrueAsync(() => hub.Output.Contains("Refused a connection on the Orleans silo port from 127.0.0.1", StringComparison.Ordinal),
            "the hub logged the intruders with their address");

        // Still one member, still serving its keys' callers.
        cluster = await hub.Client.GetFromJsonAsync<JsonElement>("/api/cluster");
        Assert.Single(cluster.GetProperty("silos").EnumerateArray(), s => s.GetProperty("status").GetString() == "active");
        using var push = await hub.Client.PostAsJsonAsync("/api/push", new { message = "after the intruders" });
        Assert.Equal(HttpStatusCode.OK, push.StatusCode);
    }
}
