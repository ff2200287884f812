using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Herald.Gateway.Hosting;

/// <summary>
/// The reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> Herald believes, bound from
/// <c>Herald:Http</c>. From anyone else those headers are ignored, so a client cannot pick the address its rate
/// limits and connection limits count against; behind a proxy that is listed, every client counts as itself.
/// </summary>
public sealed class ForwardingOptions : IValidatableObject
{
    public const string Section = "Herald:Http";

    /// <summary>Proxy addresses (<c>172.28.0.10</c>) or networks (<c>10.0.0.0/8</c>). None by default: no forwarded header is believed.</summary>
    public string[] KnownProxies { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _) && !IPNetwork.TryParse(p, out _)))
            yield return new ValidationResult($"'{proxy}' is not an IP address or a CIDR network such as 10.0.0.0/8.", [nameof(KnownProxies)]);
    }

    /// <summary>Each entry as a network: an address is a network of itself.</summary>
    public IEnumerable<IPNetwork> Networks() =>
        KnownProxies.Select(p => IPAddress.TryParse(p, out var address) ? new IPNetwork(address, address.GetAddressBytes().Length * 8) : IPNetwork.Parse(p));
}
