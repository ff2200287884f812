using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Grains.Inbound;
using static Herald.Grains.Tests.Inbound.SummarySamples;

namespace Herald.Grains.Tests.Inbound;

public sealed class InboundSummaryTests
{
    public static TheoryData<string, string?> Schemes => new()
    {
        { "github", "push" },
        { "github", "pull_request" },
        { "github", "issues" },
        { "github", "star" },
        { "github", null },
        { "stripe", "payment_intent.succeeded" },
        { "stripe", null },
        { "standard", "order.created" },
        { "hmac", null },
        { "none", "ping" },
        { "unknown-scheme", null },
    };

    private static readonly string[] WrongShapes =
    [
        "[]",
        "null",
        "\"text\"",
        "42",
        "true",
        """{ "commits": "x" }""",
        """{ "commits": [1, "a", null, [], { "message": 5, "author": "x" }, { "message": null, "author": { "username": 7 } }] }""",
        """{ "ref": 7, "size": "3", "repository": [], "pusher": "alice", "sender": 5, "head_commit": "abc" }""",
        """{ "action": {}, "number": "12", "pull_request": "x", "issue": 5, "repository": { "full_name": {} } }""",
        """{ "pull_request": { "merged": "yes", "merged_by": "carol", "user": [] }, "number": 1.5 }""",
        """{ "id": {}, "type": [], "livemode": "false", "data": { "object": [] } }""",
        """{ "data": { "object": { "id": 9, "amount": "2000", "amount_total": null, "amount_paid": {}, "customer": [] } } }""",
        """{ "data": "x" }""",
        """{ "pull_request": { "title": "\uD800" } }""",
        """{ "id": 1e400, "type": null }""",
    ];

    public static TheoryData<string, string?, string> SchemesAndWrongShapes()
    {
        var data = new TheoryData<string, string?, string>();
        foreach (var row in Schemes)
        {
            foreach (var shape in WrongShapes)
                data.Add((string)row[0], (string?)row[1], shape);
        }
        return data;
    }

    [Fact]
    public void Standard_summary_keeps_only_type_and_id()
    {
        var payload = Parse("""{ "id": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", "type": "order.created", "timestamp": "2024-05-03T08:01:22Z", "data": { "order": 6735 } }""");

        var summary = InboundSummary.Build("standard", "order.created", payload);

        AssertSummary("""{ "type": "order.created", "id": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W" }""", summary);
    }

    [Fact]
    public void Given_type_is_kept_over_the_payload_type()
    {
        var summary = InboundSummary.Build("hmac", "build.finished", Parse("""{ "id": 991, "type": "build" }"""));

        AssertSummary("""{ "type": "build.finished", "id": 991 }""", summary);
    }

    [Fact]
    public void Payload_type_is_used_when_none_is_given()
    {
        var summary = InboundSummary.Build("none", null, Parse("""{ "type": "deploy", "env": "prod" }"""));

        AssertSummary("""{ "type": "deploy" }""", summary);
    }

    [Fact]
    public void Non_object_payload_gives_only_the_given_type()
    {
        AssertSummary("""{ "type": "tick" }""", InboundSummary.Build("none", "tick", Parse("[1, 2]")));
        AssertSummary("{}", InboundSummary.Build("hmac", null, null));
    }

    [Fact]
    public void Describe_falls_back_to_source_and_type()
    {
        var summary = InboundSummary.Build("standard", "order.created", Parse("""{ "id": "msg_1", "type": "order.created" }"""));

        Assert.Equal("shop order.created", InboundSummary.Describe("shop", "order.created", summary));
        Assert.Equal("shop order.created", InboundSummary.Describe("shop", null, summary));
        Assert.Equal("shop", InboundSummary.Describe("shop", null, []));
    }

    [Fact]
    public void Default_element_counts_as_no_payload()
    {
        var summary = InboundSummary.Build("github", "push", default(JsonElement));

        Assert.Equal("push", summary["event"]!.GetValue<string>());
        Assert.Null(summary["repo"]);
    }

    [Fact]
    public void Wrong_shaped_push_leaves_commit_fields_null()
    {
        var summary = InboundSummary.Build("github", "push", Parse("""{ "commits": "x" }"""));

        Assert.Null(summary["commit_count"]);
        Assert.Null(summary["commits"]);
        Assert.Null(summary["commit_authors"]);
    }

    [Fact]
    public void Array_payload_gives_a_summary_of_nulls()
    {
        var summary = InboundSummary.Build("github", "pull_request", Parse("[]"));

        AssertSummary("""
            {
              "event": "pull_request",
              "action": null,
              "number": null,
              "title": null,
              "user": null,
              "state": null,
              "merged": null,
              "repo": null
            }
            """, summary);
        Assert.Equal("github pull_request", InboundSummary.Describe("github", "pull_request", summary));
    }

    [Fact]
    public void Text_that_is_not_valid_unicode_is_left_out()
    {
        var summary = InboundSummary.Build("github", "issues", Parse("""{ "issue": { "number": 1, "title": "bad \uDC00 text" } }"""));

        Assert.Null(summary["title"]);
        Assert.Equal(1, summary["number"]!.GetValue<long>());
    }

    [Theory]
    [MemberData(nameof(SchemesAndWrongShapes))]
    public void Wrong_shapes_give_a_summary_and_a_line_without_throwing(string scheme, string? type, string payload)
    {
        var summary = InboundSummary.Build(scheme, type, Parse(payload));

        Assert.NotNull(summary.ToJsonString());
        Assert.StartsWith(scheme, InboundSummary.Describe(scheme, type, summary), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Schemes))]
    public void Missing_payload_gives_a_summary_without_throwing(string scheme, string? type)
    {
        var summary = InboundSummary.Build(scheme, type, null);

        Assert.NotNull(summary.ToJsonString());
        Assert.StartsWith(scheme, InboundSummary.Describe(scheme, type, summary), StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_outlives_the_payload_document()
    {
        JsonObject summary;
        using (var document = JsonDocument.Parse(File.ReadAllText(SamplePath("stripe-payment_intent.succeeded.json"))))
            summary = InboundSummary.Build("stripe", null, document.RootElement);

        Assert.Contains("\"amount\":2000", summary.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("stripe payment_intent.succeeded pi_3PCm4v2eZvKYlo2C0Qw8sT5e: 2000 usd (cus_Q2wErTyUiOpAsD, jenny@example.com)", InboundSummary.Describe("stripe", null, summary));
    }
}

/// <summary>Sample payloads and JSON assertions shared by the summary tests.</summary>
internal static class SummarySamples
{
    public static string SamplePath(string name) => Path.Combine(AppContext.BaseDirectory, "Samples", name);

    /// <summary>Deserializing to an element copies it out of its document, so nothing is left to dispose.</summary>
    public static JsonElement Load(string name) => Parse(File.ReadAllText(SamplePath(name)));

    public static JsonElement Parse(string json) => JsonSerializer.Deserialize<JsonElement>(json);

    /// <summary>Compares the whole summary, so a missing, extra or differently typed field fails the test.</summary>
    public static void AssertSummary(string expected, JsonObject actual) => AssertJsonEqual(expected, actual);

    public static void AssertJsonEqual(string expected, JsonNode? actual)
    {
        var expectedNode = JsonNode.Parse(expected);
        if (!JsonNode.DeepEquals(expectedNode, actual))
            Assert.Fail($"Expected {expectedNode?.ToJsonString()}{Environment.NewLine}but got {actual?.ToJsonString() ?? "null"}");
    }
}
