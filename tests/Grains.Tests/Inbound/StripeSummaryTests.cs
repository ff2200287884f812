using Herald.Grains.Inbound;
using static Herald.Grains.Tests.Inbound.SummarySamples;

namespace Herald.Grains.Tests.Inbound;

public sealed class StripeSummaryTests
{
    [Fact]
    public void Payment_intent_summary_names_object_amount_currency_and_customer()
    {
        var summary = InboundSummary.Build("stripe", "payment_intent.succeeded", Load("stripe-payment_intent.succeeded.json"));

        AssertSummary("""
            {
              "type": "payment_intent.succeeded",
              "object_id": "pi_3PCm4v2eZvKYlo2C0Qw8sT5e",
              "amount": 2000,
              "currency": "usd",
              "customer": "cus_Q2wErTyUiOpAsD",
              "livemode": false,
              "id": "evt_3PCm4v2eZvKYlo2C0x7aQk1R",
              "customer_email": "jenny@example.com"
            }
            """, summary);
    }

    [Fact]
    public void Invoice_amount_comes_from_amount_due_and_names_the_email()
    {
        var summary = InboundSummary.Build("stripe", "invoice.paid", Load("stripe-invoice.paid.json"));

        AssertSummary("""
            {
              "type": "invoice.paid",
              "object_id": "in_1PD0aV2eZvKYlo2Cw9xY8zA7",
              "amount": 4900,
              "currency": "eur",
              "customer": "cus_P9kLmNoPqRsTuV",
              "livemode": true,
              "id": "evt_1PD0aX2eZvKYlo2CqR3sT4uV",
              "customer_email": "ops@example.org"
            }
            """, summary);
    }

    [Fact]
    public void Customer_created_has_no_amount_currency_or_customer()
    {
        var summary = InboundSummary.Build("stripe", "customer.created", Load("stripe-customer.created.json"));

        AssertSummary("""
            {
              "type": "customer.created",
              "object_id": "cus_Q3aBcDeFgHiJkL",
              "amount": null,
              "currency": null,
              "customer": null,
              "livemode": false,
              "id": "evt_1PD1bY2eZvKYlo2CxY7wV6uT"
            }
            """, summary);
    }

    [Fact]
    public void Checkout_session_amount_comes_from_amount_total()
    {
        var payload = Parse("""
            {
              "id": "evt_1",
              "type": "checkout.session.completed",
              "livemode": false,
              "data": { "object": { "id": "cs_test_a1", "object": "checkout.session", "amount_subtotal": 1500, "amount_total": 1785, "currency": "gbp", "customer": null } }
            }
            """);

        var summary = InboundSummary.Build("stripe", "checkout.session.completed", payload);

        Assert.Equal(1785, summary["amount"]!.GetValue<long>());
        Assert.Null(summary["customer"]);
    }

    [Fact]
    public void Failed_invoice_gives_the_amount_due_email_and_plan()
    {
        var summary = InboundSummary.Build("stripe", "invoice.payment_failed", Load("stripe-invoice.payment_failed.json"));

        Assert.Equal(2900, summary["amount"]!.GetValue<long>());
        Assert.Equal("billing@acme.example", summary["customer_email"]!.GetValue<string>());
        Assert.Equal("price_1OzPro2eZvKYlo2CmonthlyA", summary["plan"]!.GetValue<string>());
        Assert.Equal(
            "stripe invoice.payment_failed in_1PE7fK2eZvKYlo2C4hJ5kL6m: 2900 usd (cus_PxYzAbCdEf1234, billing@acme.example) on price_1OzPro2eZvKYlo2CmonthlyA",
            InboundSummary.Describe("stripe", "invoice.payment_failed", summary));
    }

    [Fact]
    public void Completed_checkout_gives_the_customer_email_from_customer_details()
    {
        var summary = InboundSummary.Build("stripe", "checkout.session.completed", Load("stripe-checkout.session.completed.json"));

        Assert.Equal(4900, summary["amount"]!.GetValue<long>());
        Assert.Equal("new.customer@example.com", summary["customer_email"]!.GetValue<string>());
        Assert.Equal("cus_QaBcDeFgHi5678", summary["customer"]!.GetValue<string>());
    }

    [Fact]
    public void Deleted_subscription_gives_its_plan_from_the_first_item()
    {
        var summary = InboundSummary.Build("stripe", "customer.subscription.deleted", Load("stripe-customer.subscription.deleted.json"));

        Assert.Equal("price_1OzTeam2eZvKYlo2CyearlyB", summary["plan"]!.GetValue<string>());
        Assert.Equal("cus_PmNoPqRsTu9012", summary["customer"]!.GetValue<string>());
        Assert.False(summary.ContainsKey("customer_email"));
    }

    [Fact]
    public void Expanded_customer_gives_its_id()
    {
        var payload = Parse("""{ "data": { "object": { "id": "ch_1", "amount": 500, "customer": { "id": "cus_exp", "object": "customer" } } } }""");

        var summary = InboundSummary.Build("stripe", "charge.succeeded", payload);

        Assert.Equal("cus_exp", summary["customer"]!.GetValue<string>());
    }

    [Fact]
    public void Type_comes_from_the_event_when_none_is_given()
    {
        var summary = InboundSummary.Build("stripe", null, Load("stripe-invoice.paid.json"));

        Assert.Equal("invoice.paid", summary["type"]!.GetValue<string>());
        Assert.Equal("stripe invoice.paid in_1PD0aV2eZvKYlo2Cw9xY8zA7: 4900 eur (cus_P9kLmNoPqRsTuV, ops@example.org)", InboundSummary.Describe("stripe", null, summary));
    }

    [Fact]
    public void Amount_beyond_decimal_range_is_kept_as_written()
    {
        var summary = InboundSummary.Build("stripe", "x", Parse("""{ "data": { "object": { "id": "pi_1", "amount": 1e400 } } }"""));

        Assert.Equal("1e400", summary["amount"]!.ToJsonString());
    }

    [Theory]
    [InlineData("stripe-payment_intent.succeeded.json", "payment_intent.succeeded", "stripe payment_intent.succeeded pi_3PCm4v2eZvKYlo2C0Qw8sT5e: 2000 usd (cus_Q2wErTyUiOpAsD, jenny@example.com)")]
    [InlineData("stripe-invoice.paid.json", "invoice.paid", "stripe invoice.paid in_1PD0aV2eZvKYlo2Cw9xY8zA7: 4900 eur (cus_P9kLmNoPqRsTuV, ops@example.org)")]
    [InlineData("stripe-customer.created.json", "customer.created", "stripe customer.created cus_Q3aBcDeFgHiJkL")]
    public void Describe_gives_one_line_per_event(string sample, string type, string expected)
    {
        var summary = InboundSummary.Build("stripe", type, Load(sample));

        Assert.Equal(expected, InboundSummary.Describe("stripe", type, summary));
    }
}
