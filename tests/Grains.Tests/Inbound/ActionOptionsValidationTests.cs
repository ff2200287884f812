using System.ComponentModel.DataAnnotations;
using Herald.Grains.Inbound;

namespace Herald.Grains.Tests.Inbound;

public sealed class ActionOptionsValidationTests
{
    private static List<ValidationResult> Validate(ActionOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void The_defaults_are_the_guides_three_stripe_rules_and_valid()
    {
        var options = new ActionOptions();

        Assert.Empty(Validate(options));
        Assert.Equal(["send_welcome_email", "send_payment_failed_email", "send_churn_survey"], options.EffectiveRules.Select(r => r.Action).ToArray());
        Assert.All(options.EffectiveRules, r => Assert.Equal("stripe", r.Scheme));
    }

    [Fact]
    public void Configured_rules_come_after_the_defaults_unless_the_defaults_are_off()
    {
        var own = new ActionRule { On = "order.created", Action = "pack_order", Source = "shop" };

        Assert.Equal("pack_order", new ActionOptions { Rules = [own] }.EffectiveRules[^1].Action);
        Assert.Equal([own], new ActionOptions { UseDefaultRules = false, Rules = [own] }.EffectiveRules);
        Assert.Empty(new ActionOptions { UseDefaultRules = false }.EffectiveRules);
    }

    [Theory]
    [InlineData("order.created", "Pack Order!", null, "Rules:0: Action 'Pack Order!' must be lower-case letters")]
    [InlineData("", "pack_order", null, "Rules:0: The On field is required")]
    [InlineData("order.created", "pack_order", "carrier-pigeon", "Rules:0: Scheme 'carrier-pigeon' is not one of")]
    [InlineData("checkout.session.completed", "send_welcome_email", "stripe", "is given twice")]
    public void A_bad_rule_is_refused_naming_it(string on, string action, string? scheme, string expected)
    {
        var rule = new ActionRule { On = on, Action = action };
        if (scheme is not null)
            rule.Scheme = scheme;

        var errors = Validate(new ActionOptions { Rules = [rule] });

        Assert.Contains(errors, e => e.ErrorMessage!.Contains(expected, StringComparison.Ordinal));
    }
}
