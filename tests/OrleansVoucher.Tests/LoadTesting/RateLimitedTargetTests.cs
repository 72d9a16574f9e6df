using System.Net;
using System.Net.Http.Headers;
using OrleansVoucher.LoadTests.Scenarios;

namespace OrleansVoucher.Tests.LoadTesting;

/// <summary>
/// A domain scenario's target given with <c>--url</c> keeps its rate limits: the scenario's own requests
/// (seeding, the checks after the run) wait out a 429 as its <c>Retry-After</c> says, while the measured
/// requests are sent once and a 429 counts against them.
/// </summary>
public sealed class RateLimitedTargetTests
{
    private static readonly Uri s_target = new("http://127.0.0.1:5080/");

    [Fact]
    public async Task The_worlds_own_requests_wait_out_a_429_and_go_through()
    {
        var handler = new RateLimitingHandler(refusals: 2);
        using var http = new HttpClient(handler);
        var world = DomainWorld.Attach(http, s_target, "ls-120712543901");

        var statistics = await world.StatisticsAsync(CancellationToken.None);

        Assert.Equal(3, handler.Requests);
        Assert.Equal(7, statistics.GetProperty("claimed").GetInt32());
    }

    [Fact]
    public async Task A_seeding_verification_waits_out_a_429_but_a_measured_one_fails_on_it()
    {
        var handler = new RateLimitingHandler(refusals: 1, answer: HttpStatusCode.Created);
        using var http = new HttpClient(handler);
        var world = DomainWorld.Attach(http, s_target, "ls-120712543901");

        var measured = await world.VerifyAsync(world.Institution(0), "CODE", world.Citizen(0), DomainWorld.EnrolmentClass, CancellationToken.None);
        Assert.True(measured.IsError);
        Assert.Equal("429", measured.StatusCode);
        Assert.Equal(1, handler.Requests);

        handler.Refuse(1);
        var seeding = await world.VerifyAsync(world.Institution(0), "CODE", world.Citizen(0), DomainWorld.EnrolmentClass, waitOutRateLimits: true, CancellationToken.None);
        Assert.True(seeding.IsOk);
        Assert.Equal(3, handler.Requests);
    }

    /// <summary>Refuses the next requests with 429 and <c>Retry-After: 0</c>, then answers <c>{"claimed":7}</c>.</summary>
    private sealed class RateLimitingHandler(int refusals, HttpStatusCode answer = HttpStatusCode.OK) : HttpMessageHandler
    {
        private int _refusals = refusals;

        public int Requests { get; private set; }

        public void Refuse(int count) => _refusals = count;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            if (_refusals > 0)
            {
                _refusals--;
                var refused = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
                {
                    Content = new StringContent("""{"code":"rate-limited"}""", System.Text.Encoding.UTF8, "application/problem+json"),
                };
                refused.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero);
                return Task.FromResult(refused);
            }

            return Task.FromResult(new HttpResponseMessage(answer) { Content = new StringContent("""{"claimed":7}""", System.Text.Encoding.UTF8, "application/json") });
        }
    }
}
