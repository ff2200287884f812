using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Herald.Cluster.Tests.Infrastructure;
using Herald.Contracts;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Herald.Cluster.Tests;

/// <summary>
/// Orleans's silo and gateway ports tried from outside, as an attacker would, on a cluster of real processes with API
/// keys: without the cluster's certificate nothing connects or joins; with it, a client reaches only the API's entry
/// grain, and that grain applies the API's keys, scopes and rules.
/// </summary>
public sealed class OrleansPortSecurityTests(ITestOutputHelper output)
{
    private static readonly string ReadKey = TestKeys.ByScope["read"];
    private static readonly string PushKey = TestKeys.ByScope["push"];
    private static readonly string AllKey = TestKeys.ByScope["all"];
    private static readonly Dictionary<string, string> Keys = TestKeys.ProcessSettings();

    [Fact]
    public async Task Without_the_cluster_certificate_no_client_connects_and_no_silo_joins_and_each_refusal_is_logged_with_its_address()
    {
        await using var cluster = await ClusterHarness.CreateAsync();
        var (silo, gateway) = await StartAsync(cluster);

        var clock = System.Diagnostics.Stopwatch.StartNew();

        // No certificate: the plain client of the report, on the cluster's membership table.
        await Assert.ThrowsAnyAsync<Exception>(() => OrleansIntruder.ClientAsync(cluster.ConnectionString));
        await Eventually.TrueAsync(() => silo.Output.Contains("Refused a connection on the Orleans gateway port from 127.0.0.1", StringComparison.Ordinal) &&
                                         silo.Output.Contains("does not speak TLS", StringComparison.Ordinal), "the silo logged the plaintext client with its address");

        output.WriteLine($"plain client refused after {clock.Elapsed.TotalSeconds:0.0} s");

        // A certificate that is valid, but another cluster's.
        await Assert.ThrowsAnyAsync<Exception>(() => OrleansIntruder.ClientAsync(cluster.ConnectionString, ClusterCertificates.Foreign.Certificate));
        await Eventually.TrueAsync(() => silo.Output.Contains("CN=herald-foreign, issued by CN=someone-elses-ca", StringComparison.Ordinal),
            "the silo logged the foreign certificate and why it was refused");

        output.WriteLine($"foreign client refused after {clock.Elapsed.TotalSeconds:0.0} s");

        // A silo without the certificate: its calls to the others are refused, so it never becomes active.
        await Assert.ThrowsAnyAsync<Exception>(() => OrleansIntruder.SiloAsync(cluster.ConnectionString));
        await Eventually.TrueAsync(() => silo.Output.Contains("Refused a connection on the Orleans silo port", StringComparison.Ordinal) ||
                                         gateway.Output.Contains("Refused a connection on the Orleans silo port", StringComparison.Ordinal),
            "a member logged the intruding silo's connection");
        output.WriteLine($"intruding silo refused after {clock.Elapsed.TotalSeconds:0.0} s");
        var members = (await ClusterHarness.ClusterAsync(gateway)).GetProperty("silos").EnumerateArray()
            .Where(s => s.GetProperty("status").GetString() == "active").Select(s => s.GetProperty("id").GetString()!).Order().ToArray();
        Assert.Equal<string[]>(["gateway", "silo-1"], members);

        // Each kind of refusal is logged once per address, not once per attempt.
        await Assert.ThrowsAnyAsync<Exception>(() => OrleansIntruder.ClientAsync(cluster.ConnectionString));
        Assert.Single(silo.Output.Split('\n'), line => line.Contains("gateway port", StringComparison.Ordinal) && line.Contains("does not speak TLS", StringComparison.Ordinal));

        // The cluster serves on: a push through the API still reaches a receiver.
        await using var receiver = await WebhookReceiver.StartAsync();
        await RegisterAsync(gateway, receiver.Url("after"));
        await PushAsync(gateway, "still serving", AllKey, expected: HttpStatusCode.OK);
        await Eventually.TrueAsync(() => receiver.Delivered("after").Count == 1, "the receiver got the push made after the intrusions");
    }

    [Fact]
    public async Task A_client_with_the_certificate_reaches_only_the_entry_grain_and_that_grain_applies_the_api_keys_scopes_and_rules()
    {
        await using var cluster = await ClusterHarness.CreateAsync();
        var (_, gateway) = await StartAsync(cluster);
        await using var receiver = await WebhookReceiver.StartAsync();
        await RegisterAsync(gateway, receiver.Url("operator"), topics: ["*", "inbound.*"]);

        using var insider = await OrleansIntruder.ClientAsync(cluster.ConnectionString, ClusterCertificates.Cluster.Certificate);
        var grains = insider.Services.GetRequiredService<IClusterClient>();

        // Internal grains refuse a client outright, whatever it asks: a forged inbound event, a frame with a chosen
        // sequence number, an endpoint's state, the cluster's management.
        var broadcaster = grains.GetGrain<IBroadcasterGrain>("inbound.github");
        await Assert.ThrowsAsync<ClusterAccessDeniedException>(() => broadcaster.PushAsync(new PushCommand("inbound.github", "forged")));
        await Assert.ThrowsAsync<ClusterAccessDeniedException>(() =>
            broadcaster.FanOutAsync(new LogAppended(999, "default", "forged frame", DateTimeOffset.UtcNow, null, null)));
        await Assert.ThrowsAsync<ClusterAccessDeniedException>(() => grains.GetGrain<IWebhookGrain>("ep_anything").GetStateAsync());
        await Assert.ThrowsAsync<ClusterAccessDeniedException>(() => grains.GetGrain<IManagementGrain>(0).GetHosts());

        // The entry grain: no key, a key without the scope, a rule the API enforces, and finally a push it takes.
        var api = grains.GetGrain<IHeraldApiGrain>(0);
        var anonymous = await api.ListEndpointsAsync(10, null, null);
        Assert.Equal(UseCaseErrorKind.Unauthorized, anonymous.Error?.Kind);
        Assert.Contains("An API key is required", anonymous.Error!.Detail, StringComparison.Ordinal);

        RequestContext.Set(ApiCredential.RequestContextKey, ReadKey);
        Assert.Null((await api.ListEndpointsAsync(10, null, null)).Error);
        var refused = await api.PushAsync("not with a read key", null, null, null);
        Assert.Equal(UseCaseErrorKind.Forbidden, refused.Error?.Kind);
        Assert.Contains("lacks the 'push' scope", refused.Error!.Detail, StringComparison.Ordinal);
        Assert.Equal(UseCaseErrorKind.Forbidden, (await api.CreateEndpointAsync("http://127.0.0.1:9/exfiltrate", ["*"], null)).Error?.Kind);

        RequestContext.Set(ApiCredential.RequestContextKey, PushKey);
        var reserved = await api.PushAsync("forged github event", "inbound.github", null, null);
        Assert.Equal(UseCaseErrorKind.Invalid, reserved.Error?.Kind);
        var accepted = await api.PushAsync("through the front door", null, null, null);
        Assert.Equal("through the front door", accepted.Value?.Answer.Message);
        RequestContext.Clear();

        // Only the push that went through the entry grain with a key reached the operator's receiver.
        await Eventually.TrueAsync(() => receiver.Delivered("operator").Count == 1, "the accepted push was delivered");
        Assert.Equal("through the front door", receiver.Delivered("operator")[0].Message);
        using var endpoints = new HttpRequestMessage(HttpMethod.Get, "/api/endpoints");
        endpoints.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AllKey);
        using var listed = await gateway.Client.SendAsync(endpoints);
        Assert.Equal(1, (await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Peers_pinned_to_one_self_signed_certificate_form_a_cluster_and_refuse_a_certificate_a_ca_issued()
    {
        await using var cluster = await ClusterHarness.CreateAsync();
        var pinned = ClusterCertificates.Settings(ClusterCertificates.Pinned);
        var processes = await ClusterHarness.ReadyAsync(cluster.SiloAsync("silo-1", pinned), cluster.GatewayAsync("gateway", extra: pinned));
        await ClusterHarness.ActiveAsync(processes[1], "silo-1", "gateway");
        Assert.Contains("peers must present this same certificate", processes[0].Output, StringComparison.Ordinal);

        await Assert.ThrowsAnyAsync<Exception>(() => OrleansIntruder.ClientAsync(cluster.ConnectionString, ClusterCertificates.Cluster.Certificate));
        await Eventually.TrueAsync(() => processes[0].Output.Contains("CN=herald-cluster, issued by CN=herald-test-ca", StringComparison.Ordinal) &&
                                         processes[0].Output.Contains("is not this cluster's", StringComparison.Ordinal),
            "the pinned silo refused the CA-issued certificate");
    }

    [Fact]
    public async Task A_rolling_rotation_to_a_new_CA_keeps_the_cluster_whole_and_ends_with_the_old_CA_refused()
    {
        await using var cluster = await ClusterHarness.CreateAsync();
        var bundle = Path.Combine(Path.GetDirectoryName(ClusterCertificates.Cluster.CertificatePath)!, $"rotation-{Guid.NewGuid():N}.crt");
        await File.WriteAllTextAsync(bundle, await File.ReadAllTextAsync(ClusterCertificates.Cluster.CaPath!) + "\n" + await File.ReadAllTextAsync(ClusterCertificates.NextCluster.CaPath!));
        try
        {
            // Mid-rotation: every process trusts both CAs; the silo still presents the old CA's certificate, the
            // gateway (restarted first) the new one's.
            var old = new Dictionary<string, string>(ClusterCertificates.Settings(ClusterCertificates.Cluster)) { ["Herald:Cluster:Tls:CaPath"] = bundle };
            var both = new Dictionary<string, string>(ClusterCertificates.Settings(ClusterCertificates.NextCluster)) { ["Herald:Cluster:Tls:CaPath"] = bundle };
            var processes = await ClusterHarness.ReadyAsync(cluster.SiloAsync("silo-1", old), cluster.GatewayAsync("gateway", extra: both));
            await ClusterHarness.ActiveAsync(processes[1], "silo-1", "gateway");

            // The silo is replaced by one on the new certificate that already trusts the new CA alone: it joins.
            await processes[0].StopAsync();
            var gatewayPort = FreePort();
            var onlyNew = new Dictionary<string, string>(ClusterCertificates.Settings(ClusterCertificates.NextCluster))
            {
                ["Herald:Cluster:GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            await ClusterHarness.ReadyAsync(cluster.SiloAsync("silo-2", onlyNew));
            await ClusterHarness.ActiveAsync(processes[1], "silo-2", "gateway");

            // Done: a client still on the old CA's certificate is refused by a process that dropped it.
            await Assert.ThrowsAnyAsync<Exception>(() => OrleansIntruder.ClientAsync(new IPEndPoint(IPAddress.Loopback, gatewayPort), ClusterCertificates.Cluster.Certificate));
        }
        finally
        {
            File.Delete(bundle);
        }
    }

    [Theory]
    [InlineData("Silo", "Herald:Cluster:ListenOnAnyAddress", "true", "every interface (Herald:Cluster:ListenOnAnyAddress=true)")]
    [InlineData("Gateway", "Herald:Cluster:AdvertisedHost", "10.11.12.13", "10.11.12.13 (Herald:Cluster:AdvertisedHost)")]
    public async Task A_cluster_process_that_listens_beyond_loopback_without_TLS_refuses_to_start_and_names_the_keys(string project, string key, string value, string reach)
    {
        await using var cluster = await ClusterHarness.CreateAsync(tls: false);
        var settings = cluster.Settings("exposed");
        settings[key] = value;
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => HeraldProcess.StartAsync("exposed", project, settings));
        Assert.Contains("exited (1)", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"Herald cannot start: this silo's Orleans ports listen on {reach}", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Herald:Cluster:Tls:CertificatePath", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Herald:Cluster:Tls:Disabled=true", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_on_loopback_without_TLS_starts_and_warns_once()
    {
        await using var cluster = await ClusterHarness.CreateAsync(tls: false);
        var silo = (await ClusterHarness.ReadyAsync(cluster.SiloAsync("silo-1")))[0];
        Assert.Equal(1, Occurrences(silo.Output, "Orleans's silo and gateway ports run without TLS"));
    }

    private static async Task<(HeraldProcess Silo, HeraldProcess Gateway)> StartAsync(ClusterHarness cluster)
    {
        var processes = await ClusterHarness.ReadyAsync(cluster.SiloAsync("silo-1", Keys), cluster.GatewayAsync("gateway", extra: Keys));
        processes[1].Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AllKey);
        await ClusterHarness.ActiveAsync(processes[1], "silo-1", "gateway");
        return (processes[0], processes[1]);
    }

    private static async Task RegisterAsync(HeraldProcess gateway, string url, string[]? topics = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/endpoints") { Content = JsonContent.Create(new { url, topics }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AllKey);
        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task PushAsync(HeraldProcess gateway, string message, string key, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/push") { Content = JsonContent.Create(new { message }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
