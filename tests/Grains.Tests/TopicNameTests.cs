using Herald.Contracts;

namespace Herald.Grains.Tests;

public sealed class TopicNameTests
{
    [Theory]
    [InlineData("orders")]
    [InlineData("orders.created")]
    [InlineData("Orders_2024-01:eu/west")]
    [InlineData("a")]
    public void Letters_digits_and_separators_are_valid(string topic)
    {
        Assert.Null(TopicName.Validate(topic, allowWildcard: false));
        Assert.Null(TopicName.Validate(topic, allowWildcard: true));
    }

    [Fact]
    public void Empty_topic_is_rejected() =>
        Assert.Equal("must not be empty", TopicName.Validate("", allowWildcard: false));

    [Fact]
    public void Topic_of_up_to_max_length_is_valid_and_longer_is_rejected()
    {
        Assert.Null(TopicName.Validate(new string('a', TopicName.MaxLength), allowWildcard: false));
        Assert.Equal(
            "must be at most 200 characters",
            TopicName.Validate(new string('a', TopicName.MaxLength + 1), allowWildcard: false));
    }

    [Theory]
    [InlineData("orders created", ' ')]
    [InlineData("orders#1", '#')]
    [InlineData("orders?", '?')]
    [InlineData("café", 'é')]
    [InlineData("orders,users", ',')]
    public void Other_characters_are_rejected_and_named(string topic, char bad)
    {
        Assert.StartsWith($"contains '{bad}'", TopicName.Validate(topic, allowWildcard: false));
        Assert.StartsWith($"contains '{bad}'", TopicName.Validate(topic, allowWildcard: true));
    }

    [Fact]
    public void Star_is_valid_only_where_wildcards_are_allowed()
    {
        Assert.Null(TopicName.Validate("orders.*", allowWildcard: true));
        Assert.Null(TopicName.Validate("*", allowWildcard: true));
        Assert.Equal(
            "contains '*'; use letters, digits, '.', '_', '-', ':' and '/'",
            TopicName.Validate("orders.*", allowWildcard: false));
    }
}
