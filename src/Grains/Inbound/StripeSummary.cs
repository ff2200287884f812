using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Herald.Grains.Inbound;

/// <summary>Summaries of Stripe events, whose subject is always <c>data.object</c>.</summary>
internal static class StripeSummary
{
    public const string ObjectIdKey = "object_id";

    public static JsonObject Build(string? type, JsonElement? payload)
    {
        var subject = SummaryJson.Get(payload, "data", "object");
        return new JsonObject
        {
            ["type"] = type ?? SummaryJson.String(payload, "type"),
            [ObjectIdKey] = SummaryJson.String(subject, "id"),
            // Payment intents and charges say amount, checkout sessions amount_total, invoices amount_paid.
            ["amount"] = SummaryJson.Number(subject, "amount")
                ?? SummaryJson.Number(subject, "amount_total")
                ?? SummaryJson.Number(subject, "amount_paid"),
            ["currency"] = SummaryJson.String(subject, "currency"),
            // An expanded customer arrives as the customer object rather than its id.
            ["customer"] = SummaryJson.String(subject, "customer") ?? SummaryJson.String(subject, "customer", "id"),
            ["livemode"] = SummaryJson.Bool(payload, "livemode"),
            ["id"] = SummaryJson.String(payload, "id"),
        };
    }

    public static string Describe(string source, string? type, JsonObject summary)
    {
        var line = new StringBuilder(source);
        if (type is not null)
            line.Append($" {type}");
        if (SummaryJson.Text(summary, ObjectIdKey) is { } objectId)
            line.Append($" {objectId}");
        if (SummaryJson.Text(summary, "amount") is { } amount)
        {
            // Amounts stay in the currency's smallest unit, as Stripe sends them: scaling needs a per-currency table.
            line.Append($": {amount}");
            if (SummaryJson.Text(summary, "currency") is { } currency)
                line.Append($" {currency}");
        }
        if (SummaryJson.Text(summary, "customer") is { } customer)
            line.Append($" ({customer})");
        return line.ToString();
    }
}
