using Microsoft.Playwright;

namespace Herald.Gateway.Tests.Dashboard;

/// <summary>
/// One headless Debian Chromium for the dashboard tests, driven by Playwright. Playwright never downloads a browser
/// here: it is given the system binary, which <c>.ci/run</c> installs (<c>apt-get install chromium</c>).
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"];

    private IPlaywright? _playwright;

    public IBrowser Chromium { get; private set; } = null!;

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("HERALD_CHROMIUM") is { Length: > 0 } configured ? configured
        : OnPath("chromium") ?? Candidates.FirstOrDefault(File.Exists)
          ?? throw new InvalidOperationException(
              "The dashboard tests need Debian's Chromium: run 'apt-get install -y chromium' (.ci/run does), or set HERALD_CHROMIUM to a Chromium binary.");

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu"],
        });
    }

    /// <summary>A fresh page in its own context (no shared storage), with a timeout that suits a loaded CI machine.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1100 } });
        context.SetDefaultTimeout((float)Herald.Testing.Eventually.Timeout.TotalMilliseconds);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null)
            await Chromium.DisposeAsync();
        _playwright?.Dispose();
    }
}

/// <summary>The dashboard tests share one browser and run one at a time, so they do not fight for the 2 cores.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Browser>
{
    public const string Name = "browser";
}
