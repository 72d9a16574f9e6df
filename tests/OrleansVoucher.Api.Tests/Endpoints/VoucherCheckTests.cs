using System.Text.Json;
using OrleansVoucher.Api.Tests.Infrastructure;
using OrleansVoucher.Grains.Vouchers;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// The read-only voucher check at the desk (<c>POST …/voucher-checks</c>): it answers 200 with whether a
/// verification would succeed now and, when not, the stable code it would fail with; it writes nothing
/// to storage, and on active grains reads nothing either; bad input and callers outside the
/// institution's scope get the same problems as the verification.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class VoucherCheckTests(VoucherCheckTests.Desk desk) : IClassFixture<VoucherCheckTests.Desk>
{
    [Fact]
    public async Task A_claimed_voucher_of_its_holder_is_verifiable_and_checking_it_changes_nothing()
    {
        var (code, worker) = desk.Next();
        var reads = desk.Storage.StateReads + desk.Storage.StreamReads;
        var commits = desk.Storage.Commits;

        for (var i = 0; i < 3; i++)
        {
            var check = await desk.CheckAsync(Desk.School, code, worker, Desk.ClassCode).ExpectAsync(200);

            Assert.True(check.GetProperty("verifiable").GetBoolean());
            Assert.Equal(JsonValueKind.Null, check.GetProperty("reason").ValueKind);
            Assert.Equal("claimed", check.Str("status"));
            Assert.Equal(Canonical(code), Canonical(check.Str("voucherCode")));
        }

        Assert.Equal(commits, desk.Storage.Commits);
        Assert.Equal(reads, desk.Storage.StateReads + desk.Storage.StreamReads);
        Assert.Equal("claimed", (await desk.Programme.VoucherAsync(code, "350000")).Str("status"));
        await desk.Programme.VerifyAsync(Desk.School, code, worker, Desk.ClassCode).ExpectAsync(201);
    }

    [Fact]
    public async Task A_used_voucher_is_not_verifiable_with_the_code_the_verification_fails_with()
    {
        var (code, worker) = desk.Next();
        await desk.Programme.VerifyAsync(Desk.School, code, worker, Desk.ClassCode).ExpectAsync(201);
        var commits = desk.Storage.Commits;

        var here = await desk.CheckAsync(Desk.School, code, worker, Desk.ClassCode).ExpectAsync(200);
        var elsewhere = await desk.CheckAsync(Desk.Other, code, worker, Desk.ClassCode).ExpectAsync(200);

        Assert.False(here.GetProperty("verifiable").GetBoolean());
        Assert.Equal("already-used", here.Str("reason"));
        Assert.Equal("activated", here.Str("status"));
        Assert.False(string.IsNullOrEmpty(here.Str("detail")));
        Assert.Equal("already-used", elsewhere.Str("reason"));
        await desk.Programme.VerifyAsync(Desk.Other, code, worker, Desk.ClassCode).ProblemAsync(409, "already-used");
        Assert.Equal(commits, desk.Storage.Commits);
    }

    [Fact]
    public async Task Another_presenter_learns_only_that_the_voucher_is_not_theirs()
    {
        var (code, _) = desk.Next();
        var (_, stranger) = desk.Next();

        var check = await desk.CheckAsync(Desk.School, code, stranger, Desk.ClassCode).ExpectAsync(200);

        Assert.False(check.GetProperty("verifiable").GetBoolean());
        Assert.Equal("identity-mismatch", check.Str("reason"));
        Assert.Equal(JsonValueKind.Null, check.GetProperty("status").ValueKind);
    }

    [Fact]
    public async Task A_missing_voucher_or_class_is_a_reason_not_an_error()
    {
        var (code, worker) = desk.Next();
        var commits = desk.Storage.Commits;

        var missing = await desk.CheckAsync(Desk.School, VoucherCode.New(), worker, Desk.ClassCode).ExpectAsync(200);
        var noClass = await desk.CheckAsync(Desk.School, code, worker, "NO-SUCH-CLASS").ExpectAsync(200);

        Assert.Equal("voucher-not-found", missing.Str("reason"));
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("status").ValueKind);
        Assert.Equal("class-not-found", noClass.Str("reason"));
        Assert.Equal("claimed", noClass.Str("status"));
        Assert.Equal(commits, desk.Storage.Commits);
    }

    [Fact]
    public async Task A_suspended_institution_learns_it_cannot_verify_and_the_holder_status_still_shows()
    {
        var (code, worker) = desk.Next();

        var check = await desk.CheckAsync(Desk.Suspended, code, worker, Desk.ClassCode).ExpectAsync(200);

        Assert.False(check.GetProperty("verifiable").GetBoolean());
        Assert.Equal("institution-suspended", check.Str("reason"));
        Assert.Equal("claimed", check.Str("status"));
        await desk.Programme.VerifyAsync(Desk.Suspended, code, worker, Desk.ClassCode).ProblemAsync(422, "institution-suspended");
    }

    [Fact]
    public async Task Bad_input_is_a_problem_with_a_stable_code()
    {
        var (code, worker) = desk.Next();
        var school = desk.As(Caller.Institution(Desk.School));
        var path = $"/api/v1/institutions/{Desk.School}/voucher-checks";
        var misread = code[..^1] + (code[^1] == 'A' ? 'B' : 'A');

        var badCode = await school.PostJsonAsync(path, new { voucherCode = misread, presenterCitizenId = worker, classCode = Desk.ClassCode }).ProblemAsync(400, "validation-failed");
        await school.PostJsonAsync(path, new { voucherCode = code, presenterCitizenId = worker[..^1] + (worker[^1] == '0' ? '1' : '0'), classCode = Desk.ClassCode })
            .ProblemAsync(400, "validation-failed");
        await school.PostJsonAsync(path, new { voucherCode = code, presenterCitizenId = worker }).ProblemAsync(400, "missing-field");
        await school.PostJsonAsync(path, $$"""{"voucherCode":"{{code}}","presenterCitizenId":"{{worker}}","classCode":"{{Desk.ClassCode}}","extra":1}""").ProblemAsync(400, "unknown-field");
        await school.PostJsonAsync(path, """{"voucherCode":""").ProblemAsync(400, "malformed-json");

        Assert.True(badCode.GetProperty("errors").TryGetProperty("voucherCode", out _));
    }

    [Fact]
    public async Task Only_the_institution_itself_may_check_at_its_desk()
    {
        var (code, worker) = desk.Next();
        var path = $"/api/v1/institutions/{Desk.School}/voucher-checks";
        var body = new { voucherCode = code, presenterCitizenId = worker, classCode = Desk.ClassCode };
        using var anonymous = desk.Factory.CreateClient();

        await anonymous.PostJsonAsync(path, body).ProblemAsync(401, "authentication-required");
        await desk.As(Caller.Institution(Desk.Other)).PostJsonAsync(path, body).ProblemAsync(403, "out-of-scope");
        await desk.As(Caller.Worker(worker)).PostJsonAsync(path, body).ProblemAsync(403, "forbidden");
        await desk.As(Caller.Authority("350000")).PostJsonAsync(path, body).ProblemAsync(403, "forbidden");
        await desk.CheckAsync(Desk.School, code, worker, Desk.ClassCode).ExpectAsync(200);
    }

    private static string Canonical(string code) => VoucherCode.TryParse(code, out var canonical) ? canonical : throw new FormatException($"'{code}' is not a voucher code.");

    /// <summary>
    /// An enrolment desk: two Fujian institutions with a class each of the same code and a suspended third, and workers who
    /// have claimed vouchers (so their grains are active), after one check and one verification have
    /// warmed the lookups.
    /// </summary>
    public sealed class Desk : VoucherEngine
    {
        /// <summary>The institution.</summary>
        public const string School = "FJCHECK01";

        /// <summary>Another institution.</summary>
        public const string Other = "FJCHECK02";

        /// <summary>A suspended institution.</summary>
        public const string Suspended = "FJCHECK03";

        /// <summary>The class code at the institutions.</summary>
        public const string ClassCode = "K-1";

        private readonly Queue<(string Code, string Worker)> _claimed = new();

        /// <summary>The programme's builder.</summary>
        public Programme Programme { get; private set; } = null!;

        /// <summary>A claimed voucher and its holder, not yet verified.</summary>
        public (string Code, string Worker) Next()
        {
            lock (_claimed)
            {
                return _claimed.Dequeue();
            }
        }

        /// <summary>A check at <paramref name="institutionId"/>'s desk.</summary>
        public Task<HttpResponseMessage> CheckAsync(string institutionId, string voucherCode, string presenter, string classCode) =>
            As(Caller.Institution(institutionId)).PostJsonAsync(
                $"/api/v1/institutions/{institutionId}/voucher-checks", new { voucherCode, presenterCitizenId = presenter, classCode });

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            Programme = new Programme(this);
            await Programme.RegionAsync("350000", Programme.FujianPolicy);
            await Programme.InstitutionAsync(School, "350102", listedBy: "350000");
            await Programme.InstitutionAsync(Other, "350102", listedBy: "350000");
            await Programme.CampaignAsync("check-general", "350000", Programme.General("350000"));
            await Programme.ClassAsync(School, ClassCode, Programme.Ecommerce);
            await Programme.ClassAsync(Other, ClassCode, Programme.Ecommerce);
            await Programme.InstitutionAsync(Suspended, "350102", listedBy: "350000");
            await Programme.ClassAsync(Suspended, ClassCode, Programme.Ecommerce);
            await As(Caller.Authority("350000")).PostJsonAsync($"/api/v1/institutions/{Suspended}/suspend", new { reason = "Attendance sheets signed in advance" }).ExpectAsync(200);
            for (var i = 1; i <= 12; i++)
            {
                var worker = await Programme.WorkerAsync(Caller.CitizenId("350102", i), "350102");
                _claimed.Enqueue((await Programme.ClaimAsync("check-general", worker), worker));
            }

            var (code, holder) = Next();
            await CheckAsync(School, code, holder, ClassCode).ExpectAsync(200);
            await CheckAsync(Other, code, holder, ClassCode).ExpectAsync(200);
            await Programme.VerifyAsync(School, code, holder, ClassCode).ExpectAsync(201);
        }
    }
}
