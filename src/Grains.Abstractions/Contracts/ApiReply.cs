using System.Text;

namespace Herald.Contracts;

/// <summary>One HTTP API answer carried over a grain call: its status code and its JSON body, exactly as HTTP gives them.</summary>
[GenerateSerializer]
[Alias("Herald.ApiReply")]
public sealed record ApiReply(
    [property: Id(0)] int Status,
    [property: Id(1)] string Json)
{
    public bool Succeeded => Status is >= 200 and < 300;

    // Orleans traces grain responses with ToString at Trace level, and a reply may hold an endpoint's secret (shown
    // once, when it is created): only the body's size is printed.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Status = ").Append(Status).Append(", Json = (").Append(Json.Length).Append(" characters)");
        return true;
    }
}

/// <summary>
/// A push's answer over a grain call. <see cref="Reply"/> is the HTTP API's answer without first-attempt counts; when
/// the push was taken, <see cref="Receipt"/> names the subscribers whose first attempts the caller waits for, for at
/// most <see cref="WaitLimit"/>.
/// </summary>
[GenerateSerializer]
[Alias("Herald.PushReply")]
public sealed record PushReply(
    [property: Id(0)] ApiReply Reply,
    [property: Id(1)] PushReceipt? Receipt,
    [property: Id(2)] TimeSpan WaitLimit);
