using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Grains.Inbound;
using static Herald.Grains.Tests.Inbound.SummarySamples;

namespace Herald.Grains.Tests.Inbound;

public sealed class GitHubSummaryTests
{
    [Fact]
    public void Push_summary_names_repo_branch_commits_authors_and_pusher()
    {
        var summary = InboundSummary.Build("github", "push", Load("github-push.json"));

        AssertSummary("""
            {
              "event": "push",
              "repo": "octo-org/hello-world",
              "branch": "main",
              "commit_count": 3,
              "pusher": "alice",
              "commits": ["Add health endpoint", "Fix typo in README", "Log request duration"],
              "commit_authors": ["alice", "bob"],
              "head_commit_id": "c9a8b7f6e5d4c3b2a1908172635449a1b2c3d4e5"
            }
            """, summary);
    }

    [Fact]
    public void Push_to_a_tag_keeps_the_tag_name_and_marks_the_ref_type()
    {
        var summary = InboundSummary.Build("github", "push", Load("github-push-tag.json"));

        AssertSummary("""
            {
              "event": "push",
              "repo": "octo-org/hello-world",
              "branch": "v1.2.0",
              "ref_type": "tag",
              "commit_count": 0,
              "pusher": "carol",
              "commits": [],
              "commit_authors": [],
              "head_commit_id": "c9a8b7f6e5d4c3b2a1908172635449a1b2c3d4e5"
            }
            """, summary);
    }

    [Fact]
    public void Push_lists_five_commit_messages_but_every_distinct_author()
    {
        var commits = Enumerable.Range(1, 7).Select(i => new JsonObject
        {
            ["message"] = $"Change {i}\n\nDetails {i}",
            ["author"] = new JsonObject { ["name"] = $"Dev {i}", ["username"] = i % 2 == 0 ? "even" : $"odd{i}" },
        });
        var payload = Parse(new JsonObject { ["ref"] = "refs/heads/main", ["commits"] = new JsonArray([.. commits]) }.ToJsonString());

        var summary = InboundSummary.Build("github", "push", payload);

        Assert.Equal(7, summary["commit_count"]!.GetValue<long>());
        AssertJsonEqual("""["Change 1", "Change 2", "Change 3", "Change 4", "Change 5"]""", summary["commits"]);
        AssertJsonEqual("""["odd1", "even", "odd3", "odd5", "odd7"]""", summary["commit_authors"]);
    }

    [Fact]
    public void Push_authors_without_a_username_count_by_name_and_logins_ignore_case()
    {
        var payload = Parse("""
            {
              "ref": "refs/heads/main",
              "commits": [
                { "message": "a", "author": { "name": "Alice Liddell", "username": "alice" } },
                { "message": "b", "author": { "name": "Alice L.", "username": "Alice" } },
                { "message": "c", "author": { "name": "Build Bot", "email": "bot@example.com" } },
                { "message": "d", "author": { "name": "Build Bot", "email": "bot@example.com" } }
              ]
            }
            """);

        var summary = InboundSummary.Build("github", "push", payload);

        AssertJsonEqual("""["alice", "Build Bot"]""", summary["commit_authors"]);
    }

    [Fact]
    public void Push_without_a_commits_array_counts_size_and_falls_back_to_the_sender()
    {
        var payload = Parse("""{ "ref": "refs/heads/release/2.x", "size": 4, "sender": { "login": "erin" } }""");

        var summary = InboundSummary.Build("github", "push", payload);

        AssertSummary("""
            {
              "event": "push",
              "repo": null,
              "branch": "release/2.x",
              "commit_count": 4,
              "pusher": "erin",
              "commits": null,
              "commit_authors": null,
              "head_commit_id": null
            }
            """, summary);
    }

    [Fact]
    public void Push_to_a_ref_that_is_neither_branch_nor_tag_keeps_the_whole_ref()
    {
        var summary = InboundSummary.Build("github", "push", Parse("""{ "ref": "refs/notes/commits", "commits": [] }"""));

        Assert.Equal("refs/notes/commits", summary["branch"]!.GetValue<string>());
        Assert.False(summary.ContainsKey("ref_type"));
    }

    [Fact]
    public void Opened_pull_request_summary_names_number_title_author_and_state()
    {
        var summary = InboundSummary.Build("github", "pull_request", Load("github-pull_request-opened.json"));

        AssertSummary("""
            {
              "event": "pull_request",
              "action": "opened",
              "number": 12,
              "title": "Fix retry backoff overflow",
              "user": "bob",
              "state": "open",
              "merged": false,
              "repo": "octo-org/hello-world"
            }
            """, summary);
    }

    [Fact]
    public void Merged_pull_request_summary_names_who_merged_it()
    {
        var summary = InboundSummary.Build("github", "pull_request", Load("github-pull_request-closed-merged.json"));

        AssertSummary("""
            {
              "event": "pull_request",
              "action": "closed",
              "number": 12,
              "title": "Fix retry backoff overflow",
              "user": "bob",
              "state": "closed",
              "merged": true,
              "repo": "octo-org/hello-world",
              "merged_by": "carol"
            }
            """, summary);
    }

    [Fact]
    public void Opened_issue_summary_names_number_title_author_and_state()
    {
        var summary = InboundSummary.Build("github", "issues", Load("github-issues-opened.json"));

        AssertSummary("""
            {
              "event": "issues",
              "action": "opened",
              "number": 7,
              "title": "Retries stop after attempt 30",
              "user": "dave",
              "state": "open",
              "repo": "octo-org/hello-world"
            }
            """, summary);
    }

    [Fact]
    public void Other_events_keep_action_repo_and_sender()
    {
        var summary = InboundSummary.Build("github", "star", Load("github-star-created.json"));

        AssertSummary("""
            {
              "event": "star",
              "action": "created",
              "repo": "octo-org/hello-world",
              "sender": "erin"
            }
            """, summary);
    }

    [Fact]
    public void Other_events_leave_out_action_and_repo_they_do_not_have()
    {
        var payload = Parse("""{ "zen": "Keep it logically awesome.", "hook_id": 481726, "sender": { "login": "octo-admin" } }""");

        var summary = InboundSummary.Build("github", "ping", payload);

        AssertSummary("""{ "event": "ping", "sender": "octo-admin" }""", summary);
    }

    [Fact]
    public void Scheme_is_matched_without_regard_to_case()
    {
        var summary = InboundSummary.Build("GitHub", "star", Load("github-star-created.json"));

        Assert.Equal("star", summary["event"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("github-push.json", "push", "github push to octo-org/hello-world: 3 commits to main by alice")]
    [InlineData("github-push-tag.json", "push", "github push to octo-org/hello-world: 0 commits to tag v1.2.0 by carol")]
    [InlineData("github-pull_request-opened.json", "pull_request", "github pull_request opened #12 \"Fix retry backoff overflow\" by bob")]
    [InlineData("github-pull_request-closed-merged.json", "pull_request", "github pull_request closed #12 \"Fix retry backoff overflow\" by bob (merged by carol)")]
    [InlineData("github-issues-opened.json", "issues", "github issues opened #7 \"Retries stop after attempt 30\" by dave")]
    [InlineData("github-star-created.json", "star", "github star created on octo-org/hello-world by erin")]
    public void Describe_gives_one_line_per_event(string sample, string type, string expected)
    {
        var summary = InboundSummary.Build("github", type, Load(sample));

        Assert.Equal(expected, InboundSummary.Describe("github", type, summary));
    }

    [Fact]
    public void Describe_starts_with_the_source_name_and_can_take_the_type_from_the_summary()
    {
        var summary = InboundSummary.Build("github", "push", Load("github-push.json"));

        Assert.Equal("acme-repos push to octo-org/hello-world: 3 commits to main by alice", InboundSummary.Describe("acme-repos", null, summary));
    }

    [Fact]
    public void Describe_says_commit_in_the_singular_for_one()
    {
        var payload = Parse("""{ "ref": "refs/heads/main", "repository": { "full_name": "octo/hello" }, "pusher": { "name": "alice" }, "commits": [{ "message": "x" }] }""");

        var summary = InboundSummary.Build("github", "push", payload);

        Assert.Equal("github push to octo/hello: 1 commit to main by alice", InboundSummary.Describe("github", "push", summary));
    }

    [Fact]
    public void Describe_keeps_line_breaks_in_titles_out_of_the_line()
    {
        var payload = Parse("""{ "action": "opened", "number": 3, "pull_request": { "title": "Fix\r\ndata: forged\u2028event", "user": { "login": "mallory" } } }""");

        var line = InboundSummary.Describe("github", "pull_request", InboundSummary.Build("github", "pull_request", payload));

        Assert.Equal("github pull_request opened #3 \"Fix  data: forged event\" by mallory", line);
    }

    [Fact]
    public void Describe_of_a_merged_pull_request_without_merged_by_still_says_merged()
    {
        var payload = Parse("""{ "action": "closed", "number": 4, "pull_request": { "title": "Tidy", "user": { "login": "bob" }, "merged": true } }""");

        var line = InboundSummary.Describe("github", "pull_request", InboundSummary.Build("github", "pull_request", payload));

        Assert.Equal("github pull_request closed #4 \"Tidy\" by bob (merged)", line);
    }
}
