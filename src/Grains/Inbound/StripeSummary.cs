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
        var summary = new JsonObject
        {
            ["type"] = type ?? SummaryJson.String(payload, "type"),
            [ObjectIdKey] = SummaryJson.String(subject, "id"),
            // Payment intents and charges say amount, checkout sessions amount_total, invoices amount_due (what is
            // owed, which amount_paid is not when the payment failed).
            ["amount"] = SummaryJson.Number(subject, "amount")
                ?? SummaryJson.Number(subject, "amount_total")
                ?? SummaryJson.Number(subject, "amount_due")
                ?? SummaryJson.Number(subject, "amount_paid"),
            ["currency"] = SummaryJson.String(subject, "currency"),
            // An expanded customer arrives as the customer object rather than its id.
            ["customer"] = SummaryJson.String(subject, "customer") ?? SummaryJson.String(subject, "customer", "id"),
            ["livemode"] = SummaryJson.Bool(payload, "livemode"),
            ["id"] = SummaryJson.String(payload, "id"),
        };

        // Checkout sessions carry the address in customer_details, invoices in customer_email, charges in receipt_email.
        if ((SummaryJson.String(subject, "customer_email") ?? SummaryJson.String(subject, "customer_details", "email") ?? SummaryJson.String(subject, "receipt_email")) is { } email)
            summary["customer_email"] = email;
        if (Plan(subject) is { } plan)
            summary["plan"] = plan;
        return summary;
    }

    /// <summary>
    /// The price a subscription is on: its first item's price, or the legacy <c>plan</c>. Invoices name it on their
    /// first line.
    /// </summary>
    private static string? Plan(JsonElement? subject)
    {
        static JsonElement? First(JsonElement? list) =>
            SummaryJson.Get(list, "data") is { ValueKind: JsonValueKind.Array } items && items.GetArrayLength() > 0 ? items[0] : null;

        return SummaryJson.String(First(SummaryJson.Get(subject, "items")), "price", "id")
            ?? SummaryJson.String(subject, "plan", "id")
            ?? SummaryJson.String(First(SummaryJson.Get(subject, "lines")), "price", "id")
            ?? SummaryJson.String(First(SummaryJson.Get(subject, "lines")), "plan", "id");
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
        var who = new[] { SummaryJson.Text(summary, "customer"), SummaryJson.Text(summary, "customer_email") }.OfType<string>().ToArray();
        if (who.Length > 0)
            line.Append(" (").AppendJoin(", ", who).Append(')');
        if (SummaryJson.Text(summary, "plan") is { } plan)
            line.Append($" on {plan}");
        return line.ToString();
    }
}
