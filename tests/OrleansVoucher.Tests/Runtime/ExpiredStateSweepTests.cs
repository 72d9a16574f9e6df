using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansVoucher.Silo.Hosting;
using OrleansVoucher.Testing;
using OrleansVoucher.Tests.Runtime.Grains;

namespace OrleansVoucher.Tests.Runtime;

/// <summary>
/// The silo deletes stored states whose declared expiry lies more than the grace period in the past, on
/// its interval; a grain's state carries its expiry to the store; and the settings refuse a grace period
/// that an activation idle for the collection age could outlive.
/// </summary>
public sealed class ExpiredStateSweepTests
{
    private static readonly TimeSpan s_grace = new ExpiredStateSweepOptions().Grace;

    [Fact]
    public async Task States_are_deleted_once_expired_for_the_grace_and_their_grains_start_anew()
    {
        var time = new ManualTimeProvider();
        var start = time.GetUtcNow();
        await using var silo = await TestSilo.StartAsync(
            services: s => s.Configure<ExpiredStateSweepOptions>(o => o.Enabled = false),
            timeProvider: time);
        var sweeper = silo.Services.GetRequiredService<ExpiredStateSweeper>();
        var expiring = silo.Grains.GetGrain<IExpiringGrain>("expiring");
        var cleared = silo.Grains.GetGrain<IExpiringGrain>("cleared");
        var permanent = silo.Grains.GetGrain<IExpiringGrain>("permanent");
        await expiring.SetAsync("one", start + TimeSpan.FromMinutes(10));
        await cleared.SetAsync("one", start + TimeSpan.FromDays(1));
        await cleared.ClearAsync();
        await permanent.SetAsync("one", null);

        time.Advance(s_grace);
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));

        // A cleared expiring state expired when it was cleared.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await sweeper.SweepAsync(CancellationToken.None));
        Assert.Equal(StoredState.Absent, await silo.Storage.ReadAsync(StateKey("cleared"), CancellationToken.None));

        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, await sweeper.SweepAsync(CancellationToken.None));
        Assert.Equal(StoredState.Absent, await silo.Storage.ReadAsync(StateKey("expiring"), CancellationToken.None));
        Assert.Equal(1, (await silo.Storage.ReadAsync(StateKey("permanent"), CancellationToken.None)).Version);

        time.Advance(TimeSpan.FromDays(365));
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));
        await silo.Runtime.CollectIdleActivationsAsync(TimeSpan.Zero);
        await expiring.SetAsync("two", time.GetUtcNow() + TimeSpan.FromMinutes(10));
        Assert.Equal(1, await expiring.GetVersionAsync());
    }

    [Fact]
    public async Task The_silo_sweeps_every_interval_in_batches()
    {
        var time = new ManualTimeProvider();
        await using var silo = await TestSilo.StartAsync(
            services: s => s.Configure<ExpiredStateSweepOptions>(o => o.BatchSize = 2),
            timeProvider: time);
        var expiresAt = time.GetUtcNow() + TimeSpan.FromMinutes(1);
        for (var i = 0; i < 5; i++)
        {
            await silo.Grains.GetGrain<IExpiringGrain>($"swept-{i}").SetAsync("x", expiresAt);
        }

        time.Advance(TimeSpan.FromMinutes(1) + s_grace + new ExpiredStateSweepOptions().Interval);

        for (var i = 0; i < 5; i++)
        {
            await WhenAbsentAsync(silo.Storage, StateKey($"swept-{i}")).WaitAsync(TestSilo.Hang);
        }
    }

    [Fact]
    public void The_defaults_are_valid_and_settings_bind_from_configuration()
    {
        using var host = BuildHost(new()
        {
            ["Silo:ExpiredStateSweep:Interval"] = "00:10:00",
            ["Silo:ExpiredStateSweep:Grace"] = "02:00:00",
            ["Silo:ExpiredStateSweep:BatchSize"] = "500",
            ["Silo:ExpiredStateSweep:Enabled"] = "false",
        });

        var options = host.Services.GetRequiredService<IOptions<ExpiredStateSweepOptions>>().Value;

        Assert.Equal(TimeSpan.FromMinutes(10), options.Interval);
        Assert.Equal(TimeSpan.FromHours(2), options.Grace);
        Assert.Equal(500, options.BatchSize);
        Assert.False(options.Enabled);
        using var defaults = BuildHost([]);
        Assert.Equal(TimeSpan.FromHours(1), defaults.Services.GetRequiredService<IOptions<ExpiredStateSweepOptions>>().Value.Grace);
    }

    [Theory]
    [InlineData("Silo:ExpiredStateSweep:Grace", "00:21:29", "Grace")]
    [InlineData("Silo:CollectionAge", "01:00:00", "Grace")]
    [InlineData("Silo:CollectionQuantum", "00:50:00", "Grace")]
    [InlineData("Silo:ExpiredStateSweep:Interval", "00:00:00", "Interval")]
    [InlineData("Silo:ExpiredStateSweep:BatchSize", "0", "BatchSize")]
    [InlineData("Silo:ExpiredStateSweep:BatchSize", "100001", "BatchSize")]
    public void Settings_that_cannot_work_are_refused(string setting, string value, string named)
    {
        using var host = BuildHost(new() { [setting] = value });

        var refused = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<ExpiredStateSweepOptions>>().Value);

        Assert.Contains($"Silo:ExpiredStateSweep:{named}", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_least_grace_is_the_collection_age_and_quantum_and_deactivation_timeout_plus_the_margin()
    {
        using var exact = BuildHost(new() { ["Silo:ExpiredStateSweep:Grace"] = "00:21:30" });

        Assert.Equal(TimeSpan.FromMinutes(21.5), exact.Services.GetRequiredService<IOptions<ExpiredStateSweepOptions>>().Value.Grace);
    }

    [Fact]
    public async Task A_silo_whose_collection_age_outlasts_the_grace_does_not_start()
    {
        await Assert.ThrowsAsync<OptionsValidationException>(() => TestSilo.StartAsync(options: o => o.CollectionAge = TimeSpan.FromHours(2)));
    }

    [Fact]
    public async Task A_silo_that_collects_rarely_starts_without_the_sweep_and_refuses_to_sweep_on_demand()
    {
        await using var silo = await TestSilo.StartAsync(
            options: o => o.CollectionAge = TimeSpan.FromDays(30),
            services: s => s.Configure<ExpiredStateSweepOptions>(o => o.Enabled = false));

        await Assert.ThrowsAsync<InvalidOperationException>(() => silo.Services.GetRequiredService<ExpiredStateSweeper>().SweepAsync(CancellationToken.None));
    }

    private static GrainStateKey StateKey(string grainKey) => new("expiring", "expiring", grainKey);

    private static async Task WhenAbsentAsync(IGrainStorage storage, GrainStateKey key)
    {
        // The sweep runs on the silo's own loop once the clock passed its tick; wait for its effect.
        while (await storage.ReadAsync(key, CancellationToken.None) != StoredState.Absent)
        {
            await Task.Yield();
        }
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSilo(silo => silo.UseMemoryStorage());
        return builder.Build();
    }
}
