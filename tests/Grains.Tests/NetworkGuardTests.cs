using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Herald.Grains.Delivery;

namespace Herald.Grains.Tests;

public sealed class NetworkGuardTests
{
    private static readonly NetworkGuard Strict = new(allowPrivateNetworks: false, []);

    [Theory]
    [InlineData("0.1.2.3")]
    [InlineData("10.0.2.2")]
    [InlineData("100.64.0.1")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.5.4")]
    [InlineData("192.0.0.8")]
    [InlineData("192.0.2.15")]
    [InlineData("192.88.99.1")]
    [InlineData("192.168.1.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.254")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    [InlineData("224.0.0.251")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::7f00:1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("64:ff9b:1::1")]
    [InlineData("100::1")]
    [InlineData("2001::1")]
    [InlineData("2001:2::1")]
    [InlineData("2001:db8::1")]
    [InlineData("2001:10::1")]
    [InlineData("2001:20::1")]
    [InlineData("2002:7f00:1::1")]
    [InlineData("2002:c0a8:101::1")]
    [InlineData("3fff::1")]
    [InlineData("5f00::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("fec0::1")]
    [InlineData("ff02::1")]
    public void Addresses_that_are_not_public_unicast_are_blocked(string address) =>
        Assert.False(Strict.IsAllowed(IPAddress.Parse(address)), $"{address} must be blocked");

    [Theory]
    [InlineData("1.1.1.1")]
    [InlineData("93.184.216.34")]
    [InlineData("192.0.3.1")]
    [InlineData("198.20.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("64:ff9b::5db8:d822")]
    [InlineData("2002:5db8:d822::1")]
    public void Public_unicast_addresses_are_allowed(string address) =>
        Assert.True(Strict.IsAllowed(IPAddress.Parse(address)), $"{address} must be allowed");

    [Fact]
    public void This_machines_own_addresses_are_blocked_like_loopback()
    {
        var own = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork)
            .ToArray();
        Assert.NotEmpty(own);
        Assert.All(own, address => Assert.False(Strict.IsAllowed(address), $"{address} belongs to this machine"));
    }

    [Fact]
    public void Allowed_networks_and_allowing_private_networks_open_what_they_name()
    {
        var allowing = new NetworkGuard(allowPrivateNetworks: false, ["10.0.0.0/8", "2001:db8::/32"]);
        Assert.True(allowing.IsAllowed(IPAddress.Parse("10.0.2.2")));
        Assert.True(allowing.IsAllowed(IPAddress.Parse("::ffff:10.0.2.2")));
        Assert.True(allowing.IsAllowed(IPAddress.Parse("2001:db8::5")));
        Assert.False(allowing.IsAllowed(IPAddress.Parse("192.168.0.1")));
        Assert.True(new NetworkGuard(allowPrivateNetworks: true, []).IsAllowed(IPAddress.Parse("127.0.0.1")));
    }

    [Fact]
    public async Task A_host_that_resolves_only_to_blocked_addresses_is_refused_up_front_and_an_unknown_one_is_not()
    {
        Assert.Contains("Herald:Delivery:AllowedNetworks", await Strict.RefusalAsync("192.0.2.10", TimeSpan.FromSeconds(2), CancellationToken.None), StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", await Strict.RefusalAsync("localhost", TimeSpan.FromSeconds(2), CancellationToken.None), StringComparison.Ordinal);
        Assert.Null(await Strict.RefusalAsync("93.184.216.34", TimeSpan.FromSeconds(2), CancellationToken.None));
        Assert.Null(await Strict.RefusalAsync("no-such-host.invalid", TimeSpan.FromSeconds(2), CancellationToken.None));
        Assert.Null(await new NetworkGuard(allowPrivateNetworks: true, []).RefusalAsync("127.0.0.1", TimeSpan.FromSeconds(2), CancellationToken.None));
    }
}
