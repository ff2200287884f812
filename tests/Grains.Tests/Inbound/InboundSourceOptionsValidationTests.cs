using System.ComponentModel.DataAnnotations;
using Herald.Grains.Inbound;

namespace Herald.Grains.Tests.Inbound;

public sealed class InboundSourceOptionsValidationTests
{
    private const string StandardSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static List<ValidationResult> Validate(InboundSourceOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    private static ValidationResult SingleError(InboundSourceOptions options, string member)
    {
        var error = Assert.Single(Validate(options));
        Assert.Equal([member], error.MemberNames);
        Assert.Contains(member, error.ErrorMessage, StringComparison.Ordinal);
        return error;
    }

    private static InboundSourceOptions ValidHmac() => new() { Scheme = "hmac", Secrets = ["s"], Header = "X-Signature" };

    [Fact]
    public void Defaults_are_an_unsigned_source_and_valid()
    {
        var options = new InboundSourceOptions();

        Assert.Empty(Validate(options));
        Assert.Equal("none", options.Scheme);
        Assert.Equal(1024 * 1024, options.MaxBodyBytes);
        Assert.Equal(TimeSpan.FromSeconds(300), options.Tolerance);
        Assert.Equal(TimeSpan.FromDays(30), options.MaxAge);
        Assert.Equal(10_000, options.MaxEvents);
        Assert.Equal(600, options.PermitsPerMinute);
        Assert.False(options.ShouldRequireJson);
    }

    [Theory]
    [InlineData("github", "gh-secret")]
    [InlineData("GitHub", "gh-secret")]
    [InlineData("stripe", "whsec_anything")]
    [InlineData("STANDARD", StandardSecret)]
    [InlineData("standard", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("None", "")]
    public void Known_schemes_with_their_secrets_are_valid_in_any_case(string scheme, string secret) =>
        Assert.Empty(Validate(new InboundSourceOptions { Scheme = scheme, Secrets = secret.Length == 0 ? [] : [secret] }));

    [Theory]
    [InlineData("svix")]
    [InlineData("")]
    [InlineData("github ")]
    public void Unknown_scheme_is_rejected(string scheme)
    {
        var error = SingleError(new InboundSourceOptions { Scheme = scheme, Secrets = ["s"] }, nameof(InboundSourceOptions.Scheme));

        Assert.Contains("github, stripe, vercel, standard, hmac, none", error.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("github")]
    [InlineData("stripe")]
    [InlineData("standard")]
    [InlineData("hmac")]
    public void Signing_schemes_require_a_secret(string scheme)
    {
        var options = new InboundSourceOptions { Scheme = scheme, Header = "X-Signature" };

        var error = SingleError(options, nameof(InboundSourceOptions.Secrets));
        Assert.Contains(scheme, error.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsigned_source_needs_no_secret() =>
        Assert.Empty(Validate(new InboundSourceOptions { Scheme = "none", Secrets = [] }));

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Empty_secret_among_several_is_rejected_by_index(string blank)
    {
        var error = SingleError(new InboundSourceOptions { Scheme = "github", Secrets = ["old", blank] }, nameof(InboundSourceOptions.Secrets));

        Assert.Contains("Secrets[1]", error.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("whsec_not*base64!")]
    [InlineData("whsec_")]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS")]
    [InlineData("plain-text-secret")]
    public void Standard_secret_that_is_not_base64_is_rejected_without_echoing_it(string secret)
    {
        var error = SingleError(
            new InboundSourceOptions { Scheme = "standard", Secrets = [StandardSecret, secret] }, nameof(InboundSourceOptions.Secrets));

        Assert.Contains("Secrets[1]", error.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("whsec_", error.ErrorMessage, StringComparison.Ordinal);
        // A bare prefix is the one "secret" the message may legitimately contain: it names the expected format.
        if (secret != "whsec_")
            Assert.DoesNotContain(secret, error.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Stripe_secret_is_used_as_text_so_need_not_be_base64() =>
        Assert.Empty(Validate(new InboundSourceOptions { Scheme = "stripe", Secrets = ["whsec_not*base64!"] }));

    [Fact]
    public void Hmac_with_header_secret_and_defaults_is_valid() => Assert.Empty(Validate(ValidHmac()));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void Hmac_requires_a_signature_header(string? header)
    {
        var options = ValidHmac();
        options.Header = header;

        SingleError(options, nameof(InboundSourceOptions.Header));
    }

    [Theory]
    [InlineData("sha1", true)]
    [InlineData("SHA256", true)]
    [InlineData("sha512", true)]
    [InlineData("md5", false)]
    [InlineData("sha384", false)]
    [InlineData("", false)]
    public void Hmac_algorithm_must_be_sha1_sha256_or_sha512(string algorithm, bool valid)
    {
        var options = ValidHmac();
        options.Algorithm = algorithm;

        if (valid)
            Assert.Empty(Validate(options));
        else
            SingleError(options, nameof(InboundSourceOptions.Algorithm));
    }

    [Theory]
    [InlineData("hex", true)]
    [InlineData("Base64", true)]
    [InlineData("base64url", false)]
    [InlineData("", false)]
    public void Hmac_encoding_must_be_hex_or_base64(string encoding, bool valid)
    {
        var options = ValidHmac();
        options.Encoding = encoding;

        if (valid)
            Assert.Empty(Validate(options));
        else
            SingleError(options, nameof(InboundSourceOptions.Encoding));
    }

    [Fact]
    public void Hmac_settings_are_ignored_by_other_schemes() =>
        Assert.Empty(Validate(new InboundSourceOptions { Scheme = "github", Secrets = ["s"], Algorithm = "md5", Encoding = "morse" }));

    [Fact]
    public void Every_hmac_mistake_is_reported_at_once()
    {
        var options = new InboundSourceOptions { Scheme = "hmac", Algorithm = "md5", Encoding = "morse" };

        var members = Validate(options).SelectMany(r => r.MemberNames).Order().ToArray();

        Assert.Equal(
            [nameof(InboundSourceOptions.Algorithm), nameof(InboundSourceOptions.Encoding), nameof(InboundSourceOptions.Header), nameof(InboundSourceOptions.Secrets)],
            members);
    }

    [Fact]
    public void Out_of_range_settings_are_rejected()
    {
        SingleError(new InboundSourceOptions { MaxBodyBytes = 0 }, nameof(InboundSourceOptions.MaxBodyBytes));
        SingleError(new InboundSourceOptions { MaxBodyBytes = (64 * 1024 * 1024) + 1 }, nameof(InboundSourceOptions.MaxBodyBytes));
        SingleError(new InboundSourceOptions { Tolerance = TimeSpan.FromMilliseconds(999) }, nameof(InboundSourceOptions.Tolerance));
        SingleError(new InboundSourceOptions { Tolerance = TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1) }, nameof(InboundSourceOptions.Tolerance));
        SingleError(new InboundSourceOptions { MaxEvents = 0 }, nameof(InboundSourceOptions.MaxEvents));
        SingleError(new InboundSourceOptions { MaxEvents = 10_000_001 }, nameof(InboundSourceOptions.MaxEvents));
        SingleError(new InboundSourceOptions { MaxAge = TimeSpan.FromSeconds(59) }, nameof(InboundSourceOptions.MaxAge));
        SingleError(new InboundSourceOptions { MaxAge = TimeSpan.FromDays(3651) }, nameof(InboundSourceOptions.MaxAge));
        SingleError(new InboundSourceOptions { PermitsPerMinute = 0 }, nameof(InboundSourceOptions.PermitsPerMinute));
        SingleError(new InboundSourceOptions { PermitsPerMinute = 1_000_001 }, nameof(InboundSourceOptions.PermitsPerMinute));
    }

    [Fact]
    public void Range_limits_themselves_are_valid()
    {
        Assert.Empty(Validate(new InboundSourceOptions
        {
            MaxBodyBytes = 64 * 1024 * 1024, Tolerance = TimeSpan.FromDays(1), MaxEvents = 10_000_000,
            MaxAge = TimeSpan.FromDays(3650), PermitsPerMinute = 1_000_000,
        }));
        Assert.Empty(Validate(new InboundSourceOptions
        {
            MaxBodyBytes = 1, Tolerance = TimeSpan.FromSeconds(1), MaxEvents = 1, MaxAge = TimeSpan.FromMinutes(1), PermitsPerMinute = 1,
        }));
    }

    [Theory]
    [InlineData("github", true)]
    [InlineData("Stripe", true)]
    [InlineData("standard", true)]
    [InlineData("hmac", false)]
    [InlineData("none", false)]
    public void Json_is_required_by_default_only_for_providers_that_always_send_it(string scheme, bool expected) =>
        Assert.Equal(expected, new InboundSourceOptions { Scheme = scheme }.ShouldRequireJson);

    [Theory]
    [InlineData("github", false)]
    [InlineData("none", true)]
    public void Explicit_require_json_overrides_the_scheme_default(string scheme, bool requireJson) =>
        Assert.Equal(requireJson, new InboundSourceOptions { Scheme = scheme, RequireJson = requireJson }.ShouldRequireJson);

    [Fact]
    public void Inbound_options_refuse_unknown_sources_and_look_sources_up_case_insensitively()
    {
        var options = new InboundOptions();
        options.Sources["GitHub"] = new InboundSourceOptions { Scheme = "github", Secrets = ["s"] };

        Assert.Equal("Herald:Inbound", InboundOptions.Section);
        Assert.False(options.AcceptUnknownSources);
        Assert.True(options.Sources.ContainsKey("github"));
    }
}
