using System.Text.Json;
using Herald.Gateway.Sse;
using Herald.Gateway.Tests.Infrastructure;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Herald.Gateway.Tests.Dashboard;

/// <summary>
/// The dashboard in a real headless Chromium against a real gateway: forms, the live list, reconnects, escaping,
/// and the inbound, cluster and rate panels.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardTests(Browser browser)
{
    private static readonly Dictionary<string, string?> FastRates = new() { ["Herald:Rates:SampleInterval"] = "00:00:00.200" };

    static DashboardTests() => SetDefaultExpectTimeout((float)Eventually.Timeout.TotalMilliseconds);

    [Fact]
    public async Task Registering_and_pushing_through_the_forms_reaches_the_receiver_the_live_list_and_the_webhooks_table()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await HeraldServer.StartAsync(FastRates);
        var page = await OpenAsync(server);

        await page.FillAsync("#register-url", receiver.Url("hook"));
        await page.ClickAsync("#register-form button[type=submit]");
        await Expect(page.Locator("#register-result")).ToContainTextAsync("Registered " + receiver.Url("hook"));
        var row = page.Locator("#webhooks-table tbody tr[data-id]");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator("td.col-url")).ToContainTextAsync(receiver.Url("hook"));

        // Keyboard only: type into the fields and submit with Enter.
        await page.FocusAsync("#push-message");
        await page.Keyboard.TypeAsync("hello from the browser");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("orders.created");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("#push-result")).ToContainTextAsync("Delivered to 1 of 1 webhooks · 1 SSE clients");
        var item = page.Locator("#messages li.msg").First;
        await Expect(item.Locator(".msg-text")).ToHaveTextAsync("hello from the browser");
        await Expect(item.Locator(".msg-topic")).ToHaveTextAsync("orders.created");
        await Expect(page.Locator("#event-count")).ToHaveTextAsync("1");
        await Eventually.TrueAsync(() => receiver.Delivered("hook").Any(r => r.Message == "hello from the browser"), "the receiver got the pushed message");
        var id = receiver.Delivered("hook").Single().MessageId;
        await Expect(item).ToHaveAttributeAsync("data-id", id.ToString());

        // The table shows the delivery, and its attempt log expands under it.
        await Expect(row.Locator("td.col-counts")).ToHaveTextAsync("1 / 0");
        await Expect(row.Locator("td.col-last")).ToContainTextAsync("HTTP 200");
        await Expect(row.Locator("td.col-lag")).ToHaveTextAsync("0");
        await row.GetByRole(AriaRole.Button, new() { Name = "Delivery attempts for " + receiver.Url("hook") }).ClickAsync();
        var attempts = page.Locator("tr.attempts-row");
        await Expect(attempts).ToContainTextAsync("#" + id);
        await Expect(attempts).ToContainTextAsync("succeeded");

        // Replay from the message's id sends it again, with the same webhook-id.
        await row.GetByRole(AriaRole.Button, new() { Name = "Replay messages to " + receiver.Url("hook") }).ClickAsync();
        await page.Keyboard.TypeAsync(id.ToString());
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#webhooks-result")).ToContainTextAsync("Replaying to " + receiver.Url("hook") + " from #" + id);
        await Eventually.TrueAsync(() => receiver.Delivered("hook").Count == 2, "the replay delivered the message again");
        Assert.Equal(receiver.Delivered("hook")[0].Header("webhook-id"), receiver.Delivered("hook")[1].Header("webhook-id"));
        await Expect(row.Locator("td.col-counts")).ToHaveTextAsync("2 / 0");

        // Unregister asks first, then the row goes.
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Unregister " + receiver.Url("hook") }).ClickAsync();
        await Expect(page.Locator("#webhooks-table tbody tr[data-id]")).ToHaveCountAsync(0);
        Assert.Equal(0, (await server.GetJsonAsync("/api/webhooks")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_stream_the_server_ends_resumes_from_the_last_id_and_shows_what_was_pushed_meanwhile()
    {
        await using var server = await HeraldServer.StartAsync(new Dictionary<string, string?> { ["Herald:Sse:RetryMilliseconds"] = "200" });
        var page = await OpenAsync(server);
        var before = (await server.PushAsync("before the cut")).GetProperty("id").GetInt64();
        await Expect(page.Locator("#messages li.msg")).ToHaveCountAsync(1);

        // Hold the page's reconnect until the messages are in, so they can only arrive by replay.
        var held = new TaskCompletionSource<IRoute>(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync("**/stream?**", async route =>
        {
            if (!held.TrySetResult(route))
                await route.ContinueAsync();
        });
        var disconnected = await server.PostJsonAsync("/api/stream/disconnect", new { });
        Assert.Equal(1, disconnected.GetProperty("disconnected").GetInt32());
        var reconnect = await held.Task.WaitAsync(Eventually.Timeout);
        await Expect(page.Locator("#status")).Not.ToHaveTextAsync("live");
        Assert.Equal(0, server.Services.GetRequiredService<SseHub>().ConnectionCount);

        var meanwhile = new List<long>();
        for (var i = 0; i < 3; i++)
            meanwhile.Add((await server.PushAsync($"meanwhile {i}")).GetProperty("id").GetInt64());
        await reconnect.ContinueAsync();

        await Expect(page.Locator("#status")).ToHaveTextAsync("live");
        await Expect(page.Locator("#reconnect-count")).ToHaveTextAsync("1");
        var after = (await server.PushAsync("after the reconnect")).GetProperty("id").GetInt64();
        await Expect(page.Locator("#messages li.msg")).ToHaveCountAsync(5);
        var shown = await page.Locator("#messages li.msg").EvaluateAllAsync<long[]>("items => items.map(li => Number(li.dataset.id))");
        Assert.Equal(new[] { after }.Concat(Enumerable.Reverse(meanwhile)).Append(before), shown);
        Assert.Equal(["after the reconnect", "meanwhile 2", "meanwhile 1", "meanwhile 0", "before the cut"],
            await page.Locator("#messages li.msg .msg-text").AllTextContentsAsync());
    }

    [Fact]
    public async Task Pause_holds_messages_back_clear_empties_the_list_and_the_topic_filter_selects()
    {
        await using var server = await HeraldServer.StartAsync();
        var page = await OpenAsync(server);
        var texts = page.Locator("#messages li.msg .msg-text");

        await page.ClickAsync("#pause");
        await Expect(page.Locator("#pause")).ToHaveAttributeAsync("aria-pressed", "true");
        await server.PushAsync("while paused 1");
        await server.PushAsync("while paused 2");
        await Expect(page.Locator("#event-count")).ToHaveTextAsync("2");
        await Expect(page.Locator("#pause")).ToHaveTextAsync("Resume (2 new)");
        Assert.Equal(0, await texts.CountAsync());
        await page.ClickAsync("#pause");
        await Expect(texts).ToHaveTextAsync(["while paused 2", "while paused 1"]);

        await page.ClickAsync("#clear");
        await Expect(texts).ToHaveCountAsync(0);

        await page.FillAsync("#topic-filter", "orders.*");
        await page.PressAsync("#topic-filter", "Enter");
        await Expect(page.Locator("#filter-info")).ToContainTextAsync("Filtering topics: orders.*");
        await Expect(page.Locator("#status")).ToHaveTextAsync("live");
        await Eventually.TrueAsync(() => server.Services.GetRequiredService<SseHub>().ConnectionCount == 1, "only the filtered stream is open");
        await server.PushAsync("an alert", "alerts");
        await server.PushAsync("an order", "orders.created");
        await Expect(texts).ToHaveTextAsync(["an order"]);
        await Expect(page.Locator("#messages li.msg .msg-topic")).ToHaveTextAsync(["orders.created"]);
    }

    [Fact]
    public async Task The_webhooks_table_pages_through_a_hundred_at_a_time()
    {
        await using var server = await HeraldServer.StartAsync();
        await Parallel.ForEachAsync(Enumerable.Range(0, 105), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => await server.PostJsonAsync("/api/register", new { webhook_url = $"http://127.0.0.1:9/many-{i}" }));
        var page = await OpenAsync(server);
        var rows = page.Locator("#webhooks-table tbody tr[data-id]");

        await Expect(page.Locator("#webhooks-range")).ToHaveTextAsync("Showing 1–100 of 105");
        await Expect(rows).ToHaveCountAsync(100);
        await Expect(page.Locator("#webhooks-prev")).ToBeDisabledAsync();

        await page.ClickAsync("#webhooks-next");
        await Expect(page.Locator("#webhooks-range")).ToHaveTextAsync("Showing 101–105 of 105");
        await Expect(rows).ToHaveCountAsync(5);
        await Expect(page.Locator("#webhooks-next")).ToBeDisabledAsync();

        await page.ClickAsync("#webhooks-prev");
        await Expect(page.Locator("#webhooks-range")).ToHaveTextAsync("Showing 1–100 of 105");
        await Expect(rows).ToHaveCountAsync(100);
    }

    [Fact]
    public async Task A_disabled_endpoint_shows_why_and_the_enable_button_brings_it_back()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var gone = 1;
        receiver.Answer("gone", _ => Volatile.Read(ref gone) == 1 ? 410 : 200);
        await using var server = await HeraldServer.StartAsync();
        await server.CreateEndpointAsync(receiver.Url("gone"));
        var page = await OpenAsync(server);
        var row = page.Locator("#webhooks-table tbody tr[data-id]");

        await server.PushAsync("refused");
        await Expect(row.Locator("td.col-status")).ToHaveTextAsync("disabled: The endpoint answered 410 Gone.");
        await Expect(row.Locator("td.col-last")).ToContainTextAsync("HTTP 410");
        var enable = row.GetByRole(AriaRole.Button, new() { Name = "Enable " + receiver.Url("gone") });
        await Expect(enable).ToBeVisibleAsync();

        Volatile.Write(ref gone, 0);
        await enable.ClickAsync();
        await Expect(page.Locator("#webhooks-result")).ToContainTextAsync("enabled");
        await Expect(row.Locator("td.col-status")).ToHaveTextAsync("enabled");
        await Expect(enable).ToBeHiddenAsync();

        // Enabled again, it retries the message it was refused.
        await Eventually.TrueAsync(() => receiver.Delivered("gone").Any(r => r.Message == "refused"), "the refused message is delivered after enabling");
    }

    [Fact]
    public async Task Markup_in_messages_topics_and_inbound_payloads_is_shown_as_text()
    {
        const string Attack = "<img src=x onerror=window.__owned=1><script>window.__owned=2</script>";
        await using var server = await HeraldServer.StartAsync(InboundSigning.Sources);
        var page = await OpenAsync(server);
        var dialogs = 0;
        page.Dialog += async (_, dialog) =>
        {
            Interlocked.Increment(ref dialogs);
            await dialog.DismissAsync();
        };

        await page.FillAsync("#push-message", Attack);
        await page.ClickAsync("#push-form button[type=submit]");
        await Expect(page.Locator("#messages li.msg .msg-text").First).ToHaveTextAsync(Attack);

        using var inbound = InboundSigning.Unsigned("ci", JsonSerializer.Serialize(new { note = Attack }), delivery: "d-xss", type: Attack);
        using (var accepted = await server.Client.SendAsync(inbound))
            Assert.True(accepted.IsSuccessStatusCode, await accepted.Content.ReadAsStringAsync());
        var entry = page.Locator("#inbound-list li button").First;
        await Expect(entry.Locator(".ev-type")).ToHaveTextAsync(Attack);
        await entry.ClickAsync();
        await Expect(page.Locator("#inbound-detail pre.payload")).ToContainTextAsync(Attack);

        Assert.Equal(0, await page.Locator("#messages img, #messages script, #inbound img, #inbound script").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("window.__owned"));
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task The_inbound_panel_lists_events_by_source_and_a_click_shows_the_summary_and_raw_payload()
    {
        await using var server = await HeraldServer.StartAsync(InboundSigning.Sources);
        var page = await OpenAsync(server);
        var payload = InboundSigning.Sample("github-push.json");
        using (var push = InboundSigning.GitHub("push", payload, "delivery-1"))
            Assert.True((await server.Client.SendAsync(push)).IsSuccessStatusCode);
        using (var stripe = InboundSigning.Stripe(InboundSigning.Sample("stripe-invoice.paid.json"), DateTimeOffset.UtcNow))
            Assert.True((await server.Client.SendAsync(stripe)).IsSuccessStatusCode);

        await Expect(page.Locator("#inbound-list li")).ToHaveCountAsync(2);
        await Expect(page.Locator("#inbound-sources")).ToContainTextAsync("github (1)");
        await Expect(page.Locator("#inbound-sources")).ToContainTextAsync("stripe (1)");

        // A source button narrows the list; the click on an event opens its summary and payload.
        await page.GetByRole(AriaRole.Button, new() { Name = "github (1)" }).ClickAsync();
        await Expect(page.Locator("#inbound-list li")).ToHaveCountAsync(1);
        var github = page.Locator("#inbound-list li button").First;
        await Expect(github.Locator(".ev-source")).ToHaveTextAsync("github");
        await Expect(github.Locator(".ev-type")).ToHaveTextAsync("push");
        await github.ClickAsync();
        var detail = page.Locator("#inbound-detail");
        await Expect(detail).ToContainTextAsync("delivery delivery-1");
        await Expect(detail.Locator("dl.kv")).ToContainTextAsync("repoocto-org/hello-world");
        var shown = await detail.Locator("pre.payload").TextContentAsync();
        Assert.Equal(JsonDocument.Parse(payload).RootElement.GetProperty("after").GetString(),
            JsonDocument.Parse(shown!).RootElement.GetProperty("after").GetString());
        await Expect(github).ToHaveAttributeAsync("aria-expanded", "true");
    }

    [Fact]
    public async Task Embedded_mode_says_single_node_and_the_rate_chart_draws_pushes_deliveries_and_failures()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer("billing", _ => 503);
        var settings = new Dictionary<string, string?>(InboundSigning.Sources);
        foreach (var (key, value) in FastRates)
            settings[key] = value;
        await using var server = await HeraldServer.StartAsync(settings);
        await server.CreateEndpointAsync(receiver.Url("orders"), ["orders.*"]);
        await server.CreateEndpointAsync(receiver.Url("audit"));
        await server.CreateEndpointAsync(receiver.Url("billing"), ["billing.*"]);
        var page = await OpenAsync(server);

        await Expect(page.Locator("#cluster-summary")).ToContainTextAsync("Embedded, single node");
        await Expect(page.Locator("#mode")).ToHaveTextAsync("embedded");
        for (var i = 0; i < 12; i++)
            await server.PushAsync($"order {1000 + i} created", i % 3 == 2 ? "billing.invoice" : "orders.created");
        using (var push = InboundSigning.GitHub("push", InboundSigning.Sample("github-push.json"), "delivery-7"))
            Assert.True((await server.Client.SendAsync(push)).IsSuccessStatusCode);

        // Each drawn series rises above the baseline somewhere once the samples that saw the activity are in.
        foreach (var series in new[] { "pushes_per_second", "deliveries_per_second", "failures_per_second" })
        {
            await Eventually.TrueAsync(async () => await page.EvaluateAsync<bool>(
                "s => { const line = document.querySelector(`#rates-chart polyline[data-series=\"${s}\"]`); " +
                "return !!line && line.getAttribute('points').split(' ').some(p => Number(p.split(',')[1]) < 150); }", series),
                $"the {series} line rises above zero");
        }

        Assert.Contains("samples", await page.Locator("#rates-info").TextContentAsync());
        await Expect(page.Locator("#inbound-list li")).ToHaveCountAsync(1);
        await Expect(page.Locator("#webhooks-table td.col-status.st-enabled")).ToHaveCountAsync(3);
        await page.Locator("#inbound-list li button").First.ClickAsync();
        await Expect(page.Locator("#inbound-detail pre.payload")).ToBeVisibleAsync();
        await SaveScreenshotAsync(page, "embedded");
    }

    [Fact]
    public async Task The_cluster_panel_shows_silos_roles_heartbeats_webhook_grains_and_sse_connections()
    {
        var settings = HeraldServer.OnPostgres(await (await PostgresServer.SharedAsync()).CreateDatabaseAsync());
        await using var server = await HeraldServer.StartAsync(settings);

        // A second gateway that hosts no webhook grains, with two listeners of its own.
        var pure = new Dictionary<string, string?>(settings) { ["Herald:Cluster:HostsWebhooks"] = "false" };
        await using var other = await HeraldServer.StartAsync(pure);
        await using var first = await SseClient.ConnectAsync(other.BaseAddress);
        await using var second = await SseClient.ConnectAsync(other.BaseAddress);
        var page = await OpenAsync(server);

        var self = (await server.GetJsonAsync("/api/cluster")).GetProperty("self").GetString()!;
        var otherId = (await other.GetJsonAsync("/api/cluster")).GetProperty("self").GetString()!;
        await Expect(page.Locator("#mode")).ToContainTextAsync("cluster · 2 silos");
        await Expect(page.Locator("#cluster-summary")).ToContainTextAsync("this gateway is " + self);
        await Expect(page.Locator("#cluster-summary")).ToContainTextAsync("3 SSE connections ·");
        var otherCells = page.Locator($"#cluster-table tr[data-silo=\"{otherId}\"] td");
        await Expect(otherCells.Nth(0)).ToHaveTextAsync(otherId);
        await Expect(otherCells.Nth(4)).ToHaveTextAsync("none (gateway only)");
        await Expect(otherCells.Nth(5)).ToHaveTextAsync("2");
        var silo = page.Locator($"#cluster-table tr[data-silo=\"{self}\"]");
        var cells = silo.Locator("td");
        await Expect(cells.Nth(0)).ToHaveTextAsync(self + " (this gateway)");
        await Expect(cells.Nth(1)).ToHaveTextAsync("gateway");
        await Expect(cells.Nth(2)).ToHaveTextAsync("active");
        await Expect(cells.Nth(3)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+(\.\d)? s ago$"));
        await Expect(cells.Nth(4)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ active$"));
        await Expect(cells.Nth(5)).ToHaveTextAsync("1");
    }

    [Fact]
    public async Task With_api_keys_the_page_asks_for_a_key_and_then_works_with_it()
    {
        await using var server = await HeraldServer.StartAsync(TestKeys.Settings());
        var page = await browser.NewPageAsync();
        await page.GotoAsync(server.BaseAddress.ToString());

        await Expect(page.Locator("#key-form")).ToBeVisibleAsync();
        await Expect(page.Locator("#api-key")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(TestKeys.ByScope["all"]);
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.Locator("#status")).ToHaveTextAsync("live");
        await Expect(page.Locator("#key-form")).ToBeHiddenAsync();
        await page.FillAsync("#push-message", "with a key");
        await page.ClickAsync("#push-form button[type=submit]");
        await Expect(page.Locator("#messages li.msg .msg-text").First).ToHaveTextAsync("with a key");
        await Expect(page.Locator("#cluster-summary")).ToContainTextAsync("Embedded, single node");
    }

    [Fact]
    public async Task Every_control_has_a_label_and_all_text_has_readable_contrast()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer("down", _ => 500);
        await using var server = await HeraldServer.StartAsync(InboundSigning.Sources);
        await server.CreateEndpointAsync(receiver.Url("down"), ["alerts"]);
        var page = await OpenAsync(server);
        await server.PushAsync("contrast check", "alerts");
        using (var push = InboundSigning.GitHub("push", InboundSigning.Sample("github-push.json"), "delivery-a11y"))
            Assert.True((await server.Client.SendAsync(push)).IsSuccessStatusCode);
        await Expect(page.Locator("#inbound-list li")).ToHaveCountAsync(1);
        await Expect(page.Locator("#webhooks-table td.col-fails")).Not.ToHaveTextAsync("0");

        var unlabelled = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('input, select, textarea, button')]
              .filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.textContent.trim())
              .map(c => c.outerHTML)
            """);
        Assert.Empty(unlabelled);

        // WCAG 2 contrast of each visible text against the first opaque background behind it.
        var poor = await page.EvaluateAsync<string[]>("""
            () => {
              const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
              const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
              const background = (node) => {
                for (let n = node; n && n.nodeType === 1; n = n.parentElement) {
                  const c = rgb(getComputedStyle(n).backgroundColor);
                  if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
                }
                return [255, 255, 255];
              };
              const bad = [];
              for (const node of document.querySelectorAll('body *')) {
                const text = [...node.childNodes].filter(c => c.nodeType === 3).map(c => c.textContent).join('').trim();
                const style = getComputedStyle(node);
                if (!text || !node.getClientRects().length || style.visibility === 'hidden' || node.closest('svg')) continue;
                const fg = lum(rgb(style.color)), bg = lum(background(node));
                const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
                if (ratio < 4.5) bad.push(`${ratio.toFixed(2)}: <${node.tagName.toLowerCase()} class="${node.className}"> ${text.slice(0, 40)}`);
              }
              return bad;
            }
            """);
        Assert.Empty(poor);
    }

    private async Task<IPage> OpenAsync(HeraldServer server)
    {
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(new Uri(server.BaseAddress, "/?refresh=500").ToString());
        await Expect(page.Locator("#status")).ToHaveTextAsync("live");
        await Expect(page.Locator("#webhooks-result")).ToBeEmptyAsync();
        Assert.Empty(errors);
        return page;
    }

    /// <summary>
    /// A full-page screenshot in the test output, and also where <c>HERALD_SCREENSHOT_DIR</c> says (the README's
    /// picture is made with <c>HERALD_SCREENSHOT_DIR=docs</c>).
    /// </summary>
    private static async Task SaveScreenshotAsync(IPage page, string name)
    {
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });
        await File.WriteAllBytesAsync(Path.Combine(AppContext.BaseDirectory, $"dashboard-{name}.png"), bytes);
        if (Environment.GetEnvironmentVariable("HERALD_SCREENSHOT_DIR") is { Length: > 0 } dir)
            await File.WriteAllBytesAsync(Path.Combine(Path.GetFullPath(dir, RepositoryLayout.Root), "dashboard.png"), bytes);
    }
}
