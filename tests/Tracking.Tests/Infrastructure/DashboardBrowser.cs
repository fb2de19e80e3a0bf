using Microsoft.Playwright;

namespace Tracking.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, driven by Playwright: test.sh installs it (scripts/install.sh chromium) and names it in
/// TRACKING_CHROMIUM; Playwright downloads no browser of its own.
/// </summary>
public sealed class DashboardBrowser : IAsyncLifetime
{
    IPlaywright playwright = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: TestResults/artifacts in the checkout unless TRACKING_TEST_ARTIFACTS says.</summary>
    public static string Artifacts
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("TRACKING_TEST_ARTIFACTS") is { Length: > 0 } set ? set
                : Path.Combine(Checkout(), "TestResults", "artifacts");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    static string Checkout()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Tracking.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Path.GetTempPath();
    }

    /// <summary>axe-core, the accessibility checker, from the dashboard's own npm packages.</summary>
    public static string AxeScript => File.ReadAllText(Path.Combine(Checkout(), "Gateway", "Dashboard", "node_modules", "axe-core", "axe.min.js"));

    public async Task InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("TRACKING_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Headless = true,
            // This machine reaches no Google service: Chromium is kept from trying.
            Args = ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        playwright.Dispose();
    }

    /// <summary>A new tab of its own (its own session storage), signed in to the dashboard with the key.</summary>
    public async Task<DashboardTab> SignIn(Uri baseUrl, string apiKey, int width = 1280)
    {
        var tab = await Open(baseUrl, width);
        await tab.Page.GotoAsync(baseUrl.ToString());
        await tab.Page.GetByLabel("API key").FillAsync(apiKey);
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(tab.Page.GetByRole(AriaRole.Navigation, new() { Name = "Sections" })).ToBeVisibleAsync();
        return tab;
    }

    public async Task<DashboardTab> Open(Uri baseUrl, int width = 1280)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = 900 }, BaseURL = baseUrl.ToString() });
        return new DashboardTab(context, await context.NewPageAsync());
    }
}

/// <summary>A browser tab on the dashboard, with what its console said and every URL it asked for.</summary>
public sealed class DashboardTab : IAsyncDisposable
{
    readonly IBrowserContext context;
    public IPage Page { get; }
    public List<string> Errors { get; } = [];
    public List<string> Requests { get; } = [];

    public DashboardTab(IBrowserContext context, IPage page)
    {
        this.context = context;
        Page = page;
        page.Console += (_, message) => { if (message.Type == "error") lock (Errors) Errors.Add(message.Text); };
        page.PageError += (_, error) => { lock (Errors) Errors.Add(error); };
        page.Request += (_, request) => { lock (Requests) Requests.Add(request.Url); };
    }

    /// <summary>Goes to a section (the route after the #) and waits for its heading.</summary>
    public async Task Go(string route, string heading)
    {
        await Page.EvaluateAsync("route => { location.hash = '#/' + route; }", route);
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1 })).ToBeVisibleAsync();
    }

    public async Task Screenshot(string name) =>
        await Page.ScreenshotAsync(new() { Path = Path.Combine(DashboardBrowser.Artifacts, $"dashboard-{name}-{Page.ViewportSize!.Width}.png"), FullPage = true });

    public void AssertNoConsoleErrors()
    {
        lock (Errors) Assert.True(Errors.Count == 0, "The console said: " + string.Join(" | ", Errors));
    }

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}
