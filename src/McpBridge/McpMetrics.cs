using System.Diagnostics.Metrics;
using Herald.Grains.Telemetry;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Herald.McpBridge;

/// <summary>MCP tool calls by tool and outcome.</summary>
public sealed class McpMetrics(IMeterFactory meters)
{
    // Names a client sends for tools that do not exist are not a bounded set.
    private const string UnknownTool = "unknown";

    private readonly Counter<long> _calls = meters.Create(HeraldTelemetry.MeterName).CreateCounter<long>("herald.mcp.tool_calls", "{call}",
        "MCP tool calls, by tool and outcome: success, error (an error the caller can act on), invalid_arguments, cancelled, or exception (a fault of the bridge).");

    /// <summary>Counts the tools/calls that passed the argument check, which counts its own refusals (<see cref="RefusedArguments"/>).</summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> CountCalls(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (context, cancellationToken) =>
        {
            var metrics = context.Services!.GetRequiredService<McpMetrics>();
            var tool = context.MatchedPrimitive is McpServerTool matched ? matched.ProtocolTool.Name : UnknownTool;
            try
            {
                var result = await next(context, cancellationToken);
                metrics.Counted(tool, result.IsError == true ? "error" : "success");
                return result;
            }
            catch (Exception exception)
            {
                // A tool reports what the caller can act on as an McpException, which the SDK turns into an error result.
                metrics.Counted(tool, exception switch
                {
                    McpException => "error",
                    OperationCanceledException => "cancelled",
                    _ => "exception",
                });
                throw;
            }
        };

    public void RefusedArguments(string tool) => Counted(tool, "invalid_arguments");

    private void Counted(string tool, string outcome) =>
        _calls.Add(1, new KeyValuePair<string, object?>("tool", tool), new KeyValuePair<string, object?>("outcome", outcome));
}
