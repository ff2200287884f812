using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Herald.Grains.Inbound;

/// <summary>Webhooks that other services send to Herald, bound from <c>Herald:Inbound</c>.</summary>
public sealed partial class InboundOptions : IValidatableObject
{
    public const string Section = "Herald:Inbound";

    /// <summary>Each source by the name that appears in its receiving URL.</summary>
    public Dictionary<string, InboundSourceOptions> Sources { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Off by default so a typo in a sender's URL is refused rather than silently stored unverified.
    /// When on, unknown sources are treated as scheme <c>none</c>.
    /// </summary>
    public bool AcceptUnknownSources { get; set; }

    /// <summary>
    /// Requests to <c>/webhook/{source}</c> that fail verification (or name no source) a client address may make per
    /// minute, in a budget of their own: unsigned junk spends only its sender's, never a source's verified deliveries'.
    /// </summary>
    [Range(1, 1_000_000)]
    public int UnverifiedPermitsPerMinute { get; set; } = 60;

    /// <summary>How often each source's retention (<c>MaxEvents</c>, <c>MaxAge</c>) is enforced.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(1);

    // Data annotations do not descend into dictionary values, so each source is validated here, by name.
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, source) in Sources)
        {
            if (!SourceName().IsMatch(name.ToLowerInvariant()))
                yield return new ValidationResult($"Source name '{name}' must be letters, digits, '-' or '_' (it appears in /webhook/{{source}}).", [$"{nameof(Sources)}:{name}"]);
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(source, new ValidationContext(source), results, validateAllProperties: true);
            foreach (var result in results)
                yield return new ValidationResult($"{nameof(Sources)}:{name}: {result.ErrorMessage}", result.MemberNames.Select(m => $"{nameof(Sources)}:{name}:{m}").ToArray());
        }
    }

    /// <summary>Whether <paramref name="name"/> can name a source: it appears in <c>/webhook/{source}</c>.</summary>
    public static bool IsSourceName(string name) => SourceName().IsMatch(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex SourceName();
}
