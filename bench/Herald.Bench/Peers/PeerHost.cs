namespace Herald.Bench.Peers;

/// <summary>
/// The harness's own peers run as child processes (<c>Herald.Bench.dll peer raw-sse|bare-client</c>), so that
/// their CPU is read from <c>/proc</c> apart from the listeners and receivers that run in the harness.
/// They talk over stdin and stdout: one command per line, one answer per line.
/// </summary>
public static class PeerHost
{
    public const string Verb = "peer";

    public static async Task<int> RunAsync(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "raw-sse":
                await using (var server = await RawSseServer.StartAsync())
                {
                    Console.WriteLine($"listening {server.BaseAddress}");
                    await Console.In.ReadToEndAsync();
                }

                return 0;
            case "bare-client":
                using (var bare = new BareClient())
                {
                    Console.WriteLine("ready");
                    while (await Console.In.ReadLineAsync() is { } line)
                    {
                        // burst <receivers' base address> <n> <message id>
                        var parts = line.Split(' ');
                        await bare.PostAllAsync(new Uri(parts[1]), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture));
                        Console.WriteLine("done");
                    }
                }

                return 0;
            default:
                await Console.Error.WriteLineAsync("herald-bench peer: the roles are raw-sse and bare-client");
                return 2;
        }
    }
}
