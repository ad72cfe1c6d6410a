using AllianceFhir.Api.Tests.Infrastructure;
using AllianceFhir.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AllianceFhir.Api.Tests.App.Browser;

/// <summary>
/// The real app on a real Kestrel port and Debian's Chromium driven by Playwright (never a downloaded browser). Without
/// the browser or the LHC-Forms files the tests are reported as skipped (and fail under CI=true, where .ci/run
/// installs both).
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    public const string ChromiumVariable = "ALLIANCEFHIR_CHROMIUM";
    public const string ScreenshotsVariable = "UPDATE_SCREENSHOTS";

    private BrowserSession(FhirApplication app, IPlaywright playwright, IBrowser browser, Uri address)
    {
        App = app;
        Playwright = playwright;
        Browser = browser;
        Address = address;
        Http = new HttpClient { BaseAddress = address };
    }

    public FhirApplication App { get; }

    public IPlaywright Playwright { get; }

    public IBrowser Browser { get; }

    public Uri Address { get; }

    /// <summary>A plain HTTP client of the same server, for what a clinic's system does (patients, links, flags).</summary>
    public HttpClient Http { get; }

    /// <summary>Set UPDATE_SCREENSHOTS=1 to rewrite the README's screenshots under docs/screenshots.</summary>
    public static bool WriteScreenshots => Environment.GetEnvironmentVariable(ScreenshotsVariable) == "1";

    public static string ScreenshotPath(string name) => Path.Combine(ConformanceData.RepositoryRoot, "docs", "screenshots", name);

    public static async Task<BrowserSession> StartAsync()
    {
        var chromium = Environment.GetEnvironmentVariable(ChromiumVariable) ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            ConformanceData.SkipOutsideCi($"No Chromium at {chromium}: install Debian's (apt-get install -y chromium) or set {ChromiumVariable}.");
        }

        LFormsAssets.SkipUnlessInstalled();

        var app = new FhirApplication();
        app.UseKestrel(0);
        app.StartServer();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => a.StartsWith("http://", StringComparison.Ordinal)));
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        });
        return new BrowserSession(app, playwright, browser, address);
    }

    /// <summary>A phone: 412×915 CSS pixels, touch, mobile viewport (a mid-size Android phone).</summary>
    public Task<IBrowserContext> PhoneAsync() => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        BaseURL = Address.ToString(),
        ViewportSize = new ViewportSize { Width = 412, Height = 915 },
        DeviceScaleFactor = 2,
        IsMobile = true,
        HasTouch = true,
    });

    public Task<IBrowserContext> ScreenAsync(int width, int height) => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        BaseURL = Address.ToString(),
        ViewportSize = new ViewportSize { Width = width, Height = height },
    });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await App.DisposeAsync();
    }
}
