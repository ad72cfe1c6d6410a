using AllianceFhir.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AllianceFhir.Api.Tests.Infrastructure;

/// <summary>The guard is live in the app every HTTP test runs: an unordered page fails, an ordered one does not.</summary>
public class UnorderedPageGuardTests(FhirApplication app) : IClassFixture<FhirApplication>
{
    [Fact]
    public async Task A_page_without_an_order_fails_the_query()
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();

        var error = await Record.ExceptionAsync(() => db.Resources.Where(r => r.VersionId > 7).Skip(3).Take(2).ToListAsync());

        // The logging pipeline wraps what a provider throws; either way the query does not run.
        Assert.NotNull(error);
        Assert.Contains("limits rows without a total order", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ordered_page_and_the_tagged_driver_probe_pass()
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<FhirDbContext>();

        await db.Resources.Where(r => r.VersionId > 8).OrderBy(r => r.Surrogate).Skip(3).Take(2).ToListAsync();
        await db.Resources.Where(r => r.VersionId > 9).Select(r => r.Surrogate).Take(5).TagWith("search-driver-probe").CountAsync();
    }
}
