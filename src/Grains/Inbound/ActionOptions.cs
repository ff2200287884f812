using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Herald.Grains.Inbound;

/// <summary>
/// The rules that turn inbound events into pending actions, bound from <c>Herald:Actions</c>. The defaults are the
/// MCP event-patterns guide's Stripe rules; configured <see cref="Rules"/> come after them unless <see cref="UseDefaultRules"/> is off.
/// </summary>
public sealed partial class ActionOptions : IValidatableObject
{
    public const string Section = "Herald:Actions";

    private const int MaxRules = 100;

    public static readonly IReadOnlyList<ActionRule> DefaultRules =
    [
        new()
        {
            On = "checkout.session.completed",
            Action = "send_welcome_email",
            Fields = new()
            {
                ["customer_email"] = "data.object.customer_email|data.object.customer_details.email",
                ["customer_id"] = "data.object.customer",
                ["amount"] = "data.object.amount_total",
                ["currency"] = "data.object.currency",
            },
        },
        new()
        {
            On = "invoice.payment_failed",
            Action = "send_payment_failed_email",
            Fields = new()
            {
                ["customer_id"] = "data.object.customer",
                ["customer_email"] = "data.object.customer_email",
                ["amount"] = "data.object.amount_due",
                ["currency"] = "data.object.currency",
            },
        },
        new()
        {
            On = "customer.subscription.deleted",
            Action = "send_churn_survey",
            Fields = new()
            {
                ["customer_id"] = "data.object.customer",
                ["plan"] = "data.object.items.data.0.price.id|data.object.plan.id",
            },
        },
    ];

    /// <summary>Whether the MCP event-patterns guide's three Stripe rules apply.</summary>
    public bool UseDefaultRules { get; set; } = true;

    /// <summary>Rules of this deployment's own, applied after the defaults.</summary>
    public List<ActionRule>? Rules { get; set; }

    public IReadOnlyList<ActionRule> EffectiveRules => [.. UseDefaultRules ? DefaultRules : [], .. Rules ?? []];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var rules = Rules ?? [];
        if (rules.Count > MaxRules)
            yield return new ValidationResult($"At most {MaxRules} action rules may be configured, not {rules.Count}.", [nameof(Rules)]);
        for (var i = 0; i < rules.Count; i++)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(rules[i], new ValidationContext(rules[i]), results, validateAllProperties: true);
            foreach (var result in results)
                yield return new ValidationResult($"{nameof(Rules)}:{i}: {result.ErrorMessage}", result.MemberNames.Select(m => $"{nameof(Rules)}:{i}:{m}").ToArray());
        }

        var seen = new HashSet<(string, string)>();
        foreach (var rule in EffectiveRules)
        {
            if (!seen.Add((rule.On, rule.Action)))
                yield return new ValidationResult($"The rule '{rule.On}' → '{rule.Action}' is given twice; an event gets each action once.", [nameof(Rules)]);
        }
    }
}

/// <summary>When an inbound event of type <see cref="On"/> arrives, the action <see cref="Action"/> is pending until marked complete.</summary>
public sealed partial class ActionRule : IValidatableObject
{
    /// <summary>The inbound event type, e.g. <c>invoice.payment_failed</c>.</summary>
    [Required]
    public string On { get; set; } = string.Empty;

    /// <summary>The action's name: lower-case letters, digits and underscores, e.g. <c>send_welcome_email</c>.</summary>
    [Required]
    public string Action { get; set; } = string.Empty;

    /// <summary>Which sources' events count: those of this verification scheme (Stripe's by default)...</summary>
    public string Scheme { get; set; } = SignatureSchemes.Stripe;

    /// <summary>...or, when set, this one source instead.</summary>
    public string? Source { get; set; }

    /// <summary>
    /// The fields the action carries, each read from the event's payload by a dotted path (array items by index);
    /// alternatives separated by <c>|</c> are tried in turn.
    /// </summary>
    public Dictionary<string, string> Fields { get; set; } = new(StringComparer.Ordinal);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!ActionName().IsMatch(Action))
            yield return new ValidationResult($"Action '{Action}' must be lower-case letters, digits and underscores (at most 64).", [nameof(Action)]);
        if (Source is null && !SignatureSchemes.IsOneOf(Scheme, SignatureSchemes.All))
            yield return new ValidationResult($"Scheme '{Scheme}' is not one of {string.Join(", ", SignatureSchemes.All)}.", [nameof(Scheme)]);
        foreach (var (name, path) in Fields)
        {
            if (string.IsNullOrWhiteSpace(path))
                yield return new ValidationResult($"Field '{name}' needs a payload path such as data.object.customer.", [nameof(Fields)]);
        }
    }

    [GeneratedRegex("^[a-z0-9_]{1,64}$")]
    private static partial Regex ActionName();
}
