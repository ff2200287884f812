using System.Buffers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Herald.Gateway.Http;

/// <summary>Reads a request body up to a limit; a larger one is refused (413) before or while it is read.</summary>
public static class RequestBody
{
    public static async Task<(ReadOnlyMemory<byte> Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
            return (default, ApiProblems.TooLarge(maxBytes));

        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(8192);
                var read = await request.Body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                    break;
                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes)
                    return (default, ApiProblems.TooLarge(maxBytes));
            }
        }
        catch (BadHttpRequestException exception)
        {
            return (default, ApiProblems.Status(exception.StatusCode, "Bad request body", $"The request body could not be read: {exception.Message}"));
        }
        catch (IOException exception)
        {
            // The client went away or broke the framing mid-body; nothing was accepted.
            return (default, ApiProblems.Status(StatusCodes.Status400BadRequest, "Bad request body", $"The request body could not be read: {exception.Message}"));
        }

        return (buffer.WrittenMemory, null);
    }
}
