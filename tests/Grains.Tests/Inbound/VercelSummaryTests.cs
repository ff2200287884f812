using System.Text.Json;
using Herald.Grains.Inbound;

namespace Herald.Grains.Tests.Inbound;

public sealed class VercelSummaryTests
{
    private static JsonElement Sample(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", name))).RootElement.Clone();

    [Fact]
    public void The_current_payload_gives_project_url_status_target_commit_and_time()
    {
        var summary = InboundSummary.Build("vercel", "deployment.succeeded", Sample("vercel-deployment.succeeded.json"));

        Assert.Equal("deployment.succeeded", summary["type"]!.GetValue<string>());
        Assert.Equal("Wm8DqyL4ZQ6sXfR3cT9kVb2n", summary["id"]!.GetValue<string>());
        Assert.Equal("dpl_8Fh3JkLp2QwErTy6UiOp9AsD", summary["deployment_id"]!.GetValue<string>());
        Assert.Equal("storefront", summary["project"]!.GetValue<string>());
        Assert.Equal("storefront-7xk2p9q1m-octo-org.vercel.app", summary["url"]!.GetValue<string>());
        Assert.Equal("ready", summary["status"]!.GetValue<string>());
        Assert.Equal("production", summary["target"]!.GetValue<string>());
        Assert.Equal("9f2c4e1a7b3d5f60812a4c6e8b0d2f4a6c8e0b1d", summary["commit_sha"]!.GetValue<string>());
        Assert.Equal("main", summary["branch"]!.GetValue<string>());
        Assert.Equal("Fix the checkout redirect", summary["commit_message"]!.GetValue<string>());
        Assert.Equal("2025-12-02T10:40:00.000Z", summary["created_at"]!.GetValue<string>());
        Assert.Equal("vercel deployment.succeeded storefront: ready (production) storefront-7xk2p9q1m-octo-org.vercel.app at 9f2c4e1",
            InboundSummary.Describe("vercel", null, summary));
    }

    [Fact]
    public void The_flat_payload_the_seed_guide_reads_gives_the_same_fields()
    {
        var summary = InboundSummary.Build("vercel", "deployment.error", Sample("vercel-deployment.error-flat.json"));

        Assert.Equal("dpl_3Gk9LmQ2Zx7Cv5Bn1Hj4Ty8R", summary["deployment_id"]!.GetValue<string>());
        Assert.Equal("docs-site", summary["project"]!.GetValue<string>());
        Assert.Equal("docs-site-q8w2e4r6t-octo-org.vercel.app", summary["url"]!.GetValue<string>());
        Assert.Equal("error", summary["status"]!.GetValue<string>());
        Assert.Equal("preview", summary["target"]!.GetValue<string>());
        Assert.Equal("4b7e9d1c3a5f", summary["commit_sha"]!.GetValue<string>());
        Assert.Equal("feature/search", summary["branch"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("deployment.created", "building")]
    [InlineData("deployment.canceled", "canceled")]
    [InlineData("deployment.promoted", "promoted")]
    [InlineData("deployment.check-rerequested", "check-rerequested")]
    [InlineData("project.created", null)]
    public void The_status_comes_from_the_event_type_when_the_payload_has_none(string type, string? status)
    {
        var summary = InboundSummary.Build("vercel", type, JsonDocument.Parse("""{"payload":{"deployment":{"id":"dpl_1"}}}""").RootElement);

        Assert.Equal(status, summary["status"]?.GetValue<string>());
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"payload":"not an object","createdAt":-5}""")]
    [InlineData("""{"payload":{"deployment":{"meta":{"githubCommitSha":42}}},"createdAt":99999999999999999}""")]
    public void An_unexpected_shape_gives_nulls_not_an_error(string json)
    {
        var summary = InboundSummary.Build("vercel", null, JsonDocument.Parse(json).RootElement);

        Assert.Null(summary["commit_sha"]);
        Assert.Null(summary["created_at"]);
        Assert.Equal("vercel", InboundSummary.Describe("vercel", null, summary));
    }
}
