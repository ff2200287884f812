using System.ComponentModel;
using System.Net;
using Herald.Contracts;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Herald.McpBridge.Tools;

/// <summary>The MCP event-patterns guide's event-triggered actions: what Stripe events (or any rule's events) ask someone to do.</summary>
[McpServerToolType]
public sealed class ActionTools(IHeraldApi herald)
{
    [McpServerTool(Name = "get_pending_actions", Title = "Pending actions", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("List the actions inbound events are waiting on, oldest first: by default a welcome email after checkout.session.completed, a payment-failed email after invoice.payment_failed, " +
                 "a churn survey after customer.subscription.deleted; more by Herald's configured rules. Each has an id, its type, the event it came from and the fields it needs (customer_email, amount, plan, ...).")]
    public async Task<ActionsResult> GetPendingActionsAsync(
        [Description("Only actions of this type, e.g. send_welcome_email.")] string? action_type = null,
        [Description("pending (the default), completed (newest first, with who completed them and the details) or all.")] string status = "pending",
        [Description("How many, from 1 to 1000. Default 100.")] int limit = 100,
        CancellationToken cancellationToken = default)
    {
        if (status is not ("pending" or "completed" or "all"))
            throw new McpException($"status must be pending, completed or all, not '{status}'.");
        if (limit is < 1 or > 1000)
            throw new McpException($"limit must be from 1 to 1000, not {limit}.");
        var listed = (await herald.ListActionsAsync(status, action_type, limit, cancellationToken)).As<ActionListResponse>();
        return new ActionsResult(listed.Actions, listed.Count, listed.Pending, listed.Truncated,
            $"{listed.Pending} action{(listed.Pending == 1 ? "" : "s")} pending");
    }

    [McpServerTool(Name = "mark_action_complete", Title = "Mark an action complete", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("Mark a pending action as done, recording the details and who did it. Give action_id to complete that action (completing it again changes nothing and says already_completed), " +
                 "or action_type to complete the oldest pending action of that type, as in the MCP event-patterns guide. Returns status not_found when none is pending.")]
    public async Task<CompletionResult> MarkActionCompleteAsync(
        [Description("The type of action to complete, e.g. send_welcome_email: the oldest pending one is completed.")] string? action_type = null,
        [Description("What was done, e.g. 'Sent welcome email to jane@example.com'. Kept with the completion.")] string? details = null,
        [Description("The id of one action (act_<event id>_<type>, from get_pending_actions) to complete instead.")] string? action_id = null,
        [Description("Who or what completed it. Default 'mcp'.")] string? completed_by = null,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(action_type) == string.IsNullOrWhiteSpace(action_id))
            throw new McpException("Give either action_type (to complete the oldest pending action of that type) or action_id (to complete that action), not both or neither.");
        var by = completed_by ?? "mcp";
        var (status, body) = action_id is not null
            ? await herald.TryCompleteActionAsync(action_id, details, by, cancellationToken)
            : await herald.TryCompleteActionOfTypeAsync(action_type!, details, by, cancellationToken);
        if (status == HttpStatusCode.NotFound)
            return new CompletionResult("not_found", null, body.GetProperty("error").GetString()!);
        if (status != HttpStatusCode.OK)
            throw new McpException(body.TryGetProperty("error", out var error) ? error.GetString()! : $"Herald refused the completion ({(int)status}).");
        var done = body.As<CompletionResponse>();
        var summary = done.Status == "already_completed"
            ? $"{done.Action.Id} was already completed by {done.Action.CompletedBy} at {done.Action.CompletedAt:u}"
            : $"Completed {done.Action.Type} for event {done.Action.EventId}";
        return new CompletionResult(done.Status, done.Action, summary);
    }

    [McpServerTool(Name = "get_recent_stripe_events", Title = "Recent Stripe events", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("List the newest Stripe events Herald received, newest last, each with its summary (amount, currency, customer, customer_email, plan) and the actions it created with their status.")]
    public async Task<StripeEventsResult> GetRecentStripeEventsAsync(
        [Description("How many events, from 1 to 200. Default 20.")] int limit = 20,
        CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 200)
            throw new McpException($"limit must be from 1 to 200, not {limit}.");
        var listed = (await herald.StripeEventsAsync(limit, cancellationToken)).As<StripeEventListResponse>();
        return new StripeEventsResult(listed.Events, listed.Count, $"{listed.Count} Stripe event{(listed.Count == 1 ? "" : "s")}");
    }
}
