using Herald.Contracts;

namespace Herald.Grains.Tests;

public sealed class TopicFilterTests
{
    [Theory]
    [InlineData("orders.created", true)]
    [InlineData("default", true)]
    [InlineData("inbound", true)]
    [InlineData("inboundish.x", true)]
    [InlineData("inbound.", false)]
    [InlineData("inbound.email", false)]
    public void No_patterns_match_every_topic_except_inbound_ones(string topic, bool expected)
    {
        Assert.Equal(expected, TopicFilter.From(null).Matches(topic));
        Assert.Equal(expected, TopicFilter.From([]).Matches(topic));
        Assert.Equal(expected, TopicFilter.From(["", "  "]).Matches(topic));
    }

    [Fact]
    public void Blank_or_missing_patterns_give_the_all_but_inbound_filter()
    {
        Assert.Same(TopicFilter.AllButInbound, TopicFilter.From(null));
        Assert.Same(TopicFilter.AllButInbound, TopicFilter.From([" ", ""]));
        Assert.Empty(TopicFilter.AllButInbound.Patterns);
    }

    [Theory]
    [InlineData("orders.*", "orders.created", true)]
    [InlineData("orders.*", "orders.", true)]
    [InlineData("orders.*", "orders.created.v2", true)]
    [InlineData("orders.*", "orders", false)]
    [InlineData("orders.*", "users.created", false)]
    [InlineData("*.created", "orders.created", true)]
    [InlineData("*.created", ".created", true)]
    [InlineData("*.created", "orders.created.v2", false)]
    [InlineData("*.created", "orders.updated", false)]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "abcabc", true)]
    [InlineData("a*b*c", "abcab", false)]
    [InlineData("a*b*c", "acb", false)]
    [InlineData("a*b*c", "xabc", false)]
    [InlineData("**", "", true)]
    public void Star_matches_any_run_of_characters(string pattern, string topic, bool expected) =>
        Assert.Equal(expected, TopicFilter.From([pattern]).Matches(topic));

    [Theory]
    [InlineData("orders.created", true)]
    [InlineData("orders.created2", false)]
    [InlineData("xorders.created", false)]
    [InlineData("Orders.Created", false)]
    public void Pattern_without_star_matches_only_the_exact_topic(string topic, bool expected) =>
        Assert.Equal(expected, TopicFilter.From(["orders.created"]).Matches(topic));

    [Fact]
    public void Explicit_patterns_reach_inbound_topics()
    {
        Assert.True(TopicFilter.From(["*"]).Matches("inbound.email"));
        Assert.True(TopicFilter.From(["inbound.*"]).Matches("inbound.email"));
        Assert.False(TopicFilter.From(["inbound.*"]).Matches("orders.created"));
    }

    [Fact]
    public void A_topic_matches_when_any_pattern_matches()
    {
        var filter = TopicFilter.From(["orders.*", "users.created"]);

        Assert.True(filter.Matches("orders.paid"));
        Assert.True(filter.Matches("users.created"));
        Assert.False(filter.Matches("users.deleted"));
    }

    [Fact]
    public void Patterns_are_trimmed_and_deduplicated()
    {
        var filter = TopicFilter.From([" orders.* ", "orders.*", "", "users.created"]);

        Assert.Equal(["orders.*", "users.created"], filter.Patterns);
        Assert.True(filter.Matches("orders.paid"));
    }

    [Fact]
    public async Task Adversarial_pattern_against_a_long_topic_returns()
    {
        var filter = TopicFilter.From(["*a*a*a*a*a*a*a*a*a*a*a*a*b"]);
        var topic = new string('a', 50_000);

        // A backtracking matcher would not return in our lifetime; the deadline turns a hang into a failure.
        var matched = await Task.Run(() => filter.Matches(topic)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(matched);
        Assert.True(filter.Matches(topic + "b"));
    }
}
