using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansVoucher.Api.Tests.Infrastructure;
using static OrleansVoucher.Api.Tests.Endpoints.MatrixWorld;

namespace OrleansVoucher.Api.Tests.Endpoints;

/// <summary>
/// The bad-input corpus on the programme's endpoints: malformed JSON, wrong types, unknown fields,
/// oversize bodies, invalid identifiers (citizen id check digits, voucher code check characters, region
/// and occupation codes), injection strings, out-of-range values. Each is a 4xx problem document with
/// its code — a <c>validation-failed</c> one names the field — and the programme reads the same after.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DomainBadInputTests(MatrixWorld world) : IClassFixture<MatrixWorld>
{
    private const string Verify = $"/api/v1/institutions/{SchoolId}/verifications";
    private const string Claim = "/api/v1/campaigns/mx-general/claims";
    private const string Draft = "/api/v1/campaigns/mx-draft";
    private const string CheckIn = $"/api/v1/institutions/{SchoolId}/classes/{ClassCode}/check-ins";
    private const string Settle = $"/api/v1/institutions/{SchoolId}/settlement-claims";
    private const string Classes = $"/api/v1/institutions/{SchoolId}/classes";
    private const string Listing = $"/api/v1/institutions/{SchoolId}";
    private const string Policy = $"/api/v1/regions/{Province}/policy";
    private const string Rosters = "/api/v1/campaigns/mx-directed/rosters";
    private const string Strikes = $"/api/v1/institutions/{SanctionedId}/strikes";
    private const string Workers = "/api/v1/workers/";
    private const string Injection = "'; DROP TABLE grain_state; --";

    private static readonly Caller s_stranger = Caller.Worker(Stranger);
    private static readonly Caller s_holder = Caller.Worker(Holder);

    private static readonly Case[] s_cases =
    [
        // Not JSON, or not the JSON the operation takes.
        Body("verify: truncated JSON", School, "POST", Verify, _ => """{"voucherCode":"ABCD""", 400, "malformed-json"),
        Body("verify: trailing garbage", School, "POST", Verify, w => Valid(w) + " }", 400, "malformed-json"),
        Body("verify: duplicate field", School, "POST", Verify, w => Valid(w)[..^1] + $",\"classCode\":\"{ClassCode}\"}}", 400, "malformed-json"),
        Body("verify: unknown field", School, "POST", Verify, w => Valid(w)[..^1] + ",\"institutionId\":\"FJMATRIX02\"}", 400, "unknown-field"),
        Body("verify: prototype pollution", School, "POST", Verify, w => Valid(w)[..^1] + ",\"__proto__\":{\"admin\":true}}", 400, "unknown-field"),
        Body("verify: an array", School, "POST", Verify, w => $"[{Valid(w)}]", 400, "invalid-field-type"),
        Body("verify: a number for the code", School, "POST", Verify, _ => $$"""{"voucherCode":12345678901234,"presenterCitizenId":"{{Holder}}","classCode":"{{ClassCode}}"}""", 400, "invalid-field-type"),
        Body("verify: null presenter", School, "POST", Verify, w => $$"""{"voucherCode":"{{w.HolderVoucher}}","presenterCitizenId":null,"classCode":"{{ClassCode}}"}""", 400, "invalid-field-type"),
        Body("verify: no class", School, "POST", Verify, w => $$"""{"voucherCode":"{{w.HolderVoucher}}","presenterCitizenId":"{{Holder}}"}""", 400, "missing-field"),
        Body("verify: empty object", School, "POST", Verify, _ => "{}", 400, "missing-field"),
        Body("verify: over 64 KiB", School, "POST", Verify, w => Valid(w)[..^1] + $",\"padding\":\"{new string('x', 70 * 1024)}\"}}", 413, "payload-too-large"),

        // Identifiers: check characters, formats, injection strings.
        Body("verify: a misread check character", School, "POST", Verify, w => VerifyBody(WrongCheck(w.HolderVoucher), Holder, ClassCode), 400, "validation-failed", "voucherCode"),
        Body("verify: two characters swapped", School, "POST", Verify, w => VerifyBody(Swapped(w.HolderVoucher), Holder, ClassCode), 400, "validation-failed", "voucherCode"),
        Body("verify: a code too short", School, "POST", Verify, _ => VerifyBody("ABCD-EFGH", Holder, ClassCode), 400, "validation-failed", "voucherCode"),
        Body("verify: injection in the code", School, "POST", Verify, _ => VerifyBody(Injection, Holder, ClassCode), 400, "validation-failed", "voucherCode"),
        Body("verify: a wrong citizen id check digit", School, "POST", Verify, w => VerifyBody(w.HolderVoucher, WrongDigit(Holder), ClassCode), 400, "validation-failed", "presenterCitizenId"),
        Body("verify: a citizen id born tomorrow", School, "POST", Verify, w => VerifyBody(w.HolderVoucher, Caller.CitizenId("350102", 1, new DateOnly(2099, 1, 1)), ClassCode), 400, "validation-failed", "presenterCitizenId"),
        Body("verify: injection in the class", School, "POST", Verify, w => VerifyBody(w.HolderVoucher, Holder, Injection), 400, "validation-failed", "classCode"),
        Body("claim: a wrong check digit", s_stranger, "POST", Claim, _ => $$"""{"citizenId":"{{WrongDigit(Stranger)}}"}""", 400, "validation-failed", "citizenId"),
        Body("claim: an unknown level", s_stranger, "POST", Claim, _ => $$"""{"citizenId":"{{Stranger}}","level":"grandmaster"}""", 400, "invalid-field-type"),
        Body("claim: a level as a number", s_stranger, "POST", Claim, _ => $$"""{"citizenId":"{{Stranger}}","level":5}""", 400, "invalid-field-type"),
        Body("claim: a level as a numeric string", s_stranger, "POST", Claim, _ => $$"""{"citizenId":"{{Stranger}}","level":"5"}""", 400, "invalid-field-type"),
        Body("claim: two levels, which or'ed are a third", s_stranger, "POST", Claim, _ => $$"""{"citizenId":"{{Stranger}}","level":"seniorTechnician, technician"}""", 400, "invalid-field-type"),
        Body("claim: two levels, escaped", s_stranger, "POST", Claim, _ => $$"""{"citizenId":"{{Stranger}}","level":"seniorTechnician\u002ctechnician"}""", 400, "invalid-field-type"),

        // Campaign designs: codes, money in integer fen, dates, enumerations, lengths.
        Body("campaign: a 5-digit region", Fujian, "PUT", Draft, w => Campaign(w, "regionCode", "\"35000\""), 400, "validation-failed", "regionCode"),
        Body("campaign: the national code as a region", Fujian, "PUT", Draft, w => Campaign(w, "regionCode", "\"000000\""), 400, "validation-failed", "regionCode"),
        Body("campaign: a malformed occupation", Fujian, "PUT", Draft, w => Campaign(w, "occupationCode", "\"4-1-2\""), 400, "validation-failed", "occupationCode"),
        Body("campaign: injection in the occupation", Fujian, "PUT", Draft, w => Campaign(w, "occupationCode", JsonSerializer.Serialize(Injection)), 400, "validation-failed", "occupationCode"),
        Body("campaign: fractional fen", Fujian, "PUT", Draft, w => Campaign(w, "faceValueFen", "500.5"), 400, "invalid-field-type"),
        Body("campaign: fen in a string", Fujian, "PUT", Draft, w => Campaign(w, "budgetCapFen", "\"50000000\""), 400, "invalid-field-type"),
        Body("campaign: negative fen", Fujian, "PUT", Draft, w => Campaign(w, "faceValueFen", "-1"), 400, "validation-failed", "faceValueFen"),
        Body("campaign: more than ¥10 billion", Fujian, "PUT", Draft, w => Campaign(w, "budgetCapFen", "1000000000001"), 400, "validation-failed", "budgetCapFen"),
        Body("campaign: a date that is not one", Fujian, "PUT", Draft, w => Campaign(w, "claimOpensAt", "\"yesterday\""), 400, "invalid-field-type"),
        Body("campaign: closing before opening", Fujian, "PUT", Draft, w => Campaign(w, "claimClosesAt", "\"2025-01-01T00:00:00+08:00\""), 400, "validation-failed", "claimClosesAt"),
        Body("campaign: an unknown value mode", Fujian, "PUT", Draft, w => Campaign(w, "valueMode", "\"gold\""), 400, "invalid-field-type"),
        Body("campaign: a value mode as a number", Fujian, "PUT", Draft, w => Campaign(w, "valueMode", "0"), 400, "invalid-field-type"),
        Body("campaign: two value modes", Fujian, "PUT", Draft, w => Campaign(w, "valueMode", "\"faceValue,credit\""), 400, "invalid-field-type"),
        Body("campaign: a value mode in capitals", Fujian, "PUT", Draft, w => Campaign(w, "valueMode", "\"FACEVALUE\""), 400, "invalid-field-type"),
        Body("campaign: a value mode in Pascal case", Fujian, "PUT", Draft, w => Campaign(w, "valueMode", "\"FaceValue\""), 400, "invalid-field-type"),
        Body("campaign: a value mode with spaces around it", Fujian, "PUT", Draft, w => Campaign(w, "valueMode", "\" faceValue \""), 400, "invalid-field-type"),
        Body("campaign: an opening time without its offset", Fujian, "PUT", Draft, w => Campaign(w, "claimOpensAt", "\"2026-01-01T00:00:00\""), 400, "invalid-field-type"),
        Body("campaign: an opening date without a time", Fujian, "PUT", Draft, w => Campaign(w, "claimOpensAt", "\"2026-01-01\""), 400, "invalid-field-type"),
        Body("campaign: a name too long", Fujian, "PUT", Draft, w => Campaign(w, "name", JsonSerializer.Serialize(new string('券', 201))), 400, "validation-failed", "name"),
        Body("campaign: a control character in the name", Fujian, "PUT", Draft, w => Campaign(w, "name", "\"Campaign\\u0000\""), 400, "validation-failed", "name"),
        Body("campaign: no quantity cap", Fujian, "PUT", Draft, w => Campaign(w, "quantityCap", null), 400, "missing-field"),
        Body("campaign: a null face value by level", Fujian, "PUT", Draft, w => Campaign(w, "faceValuesByLevel", "[null]"), 400, "validation-failed", "faceValuesByLevel"),
        Body("campaign: closing in the year 9999", Fujian, "PUT", Draft, w => Campaign(w, "claimClosesAt", "\"9999-12-31T23:59:59+00:00\""), 400, "validation-failed", "claimClosesAt"),
        Body("roster: a null entry", School, "POST", Rosters, _ => $$"""{"rosterNo":"R-8","institutionId":"{{SchoolId}}","entries":[null]}""", 400, "validation-failed", "entries"),
        Body("class: a null session", School, "POST", Classes, _ => $$"""{"classCode":"C-8","occupationCode":"{{Programme.Ecommerce}}","sessions":[null]}""", 400, "validation-failed", "sessions"),
        Body("worker: a null category", Fujian, "PUT", Workers + Holder, _ => """{"categories":[null]}""", 400, "validation-failed", "categories"),

        // Positions, sessions, enumerations and texts of the other operations.
        Body("check-in: latitude 91", s_holder, "POST", CheckIn, _ => $$$"""{"citizenId":"{{{Holder}}}","session":0,"position":{"latitude":91,"longitude":119.3}}""", 400, "validation-failed", "position.latitude"),
        Body("check-in: longitude as text", s_holder, "POST", CheckIn, _ => $$$"""{"citizenId":"{{{Holder}}}","session":0,"position":{"latitude":26,"longitude":"east"}}""", 400, "invalid-field-type"),
        Body("check-in: neither position nor code", s_holder, "POST", CheckIn, _ => $$"""{"citizenId":"{{Holder}}","session":0}""", 400, "validation-failed", "position"),
        Body("check-in: markup as the code", s_holder, "POST", CheckIn, _ => $$"""{"citizenId":"{{Holder}}","session":0,"token":"<script>alert(1)</script>"}""", 400, "validation-failed", "token"),
        Body("check-in: a negative session", s_holder, "POST", CheckIn, _ => $$"""{"citizenId":"{{Holder}}","session":-1,"token":"abc.def"}""", 400, "validation-failed", "session"),
        Body("settlement: an unknown part", School, "POST", Settle, w => $$"""{"voucherCode":"{{w.HolderVoucher}}","part":"everything"}""", 400, "invalid-field-type"),
        Body("settlement: a payment target as a number", School, "POST", Settle, w => $$"""{"voucherCode":"{{w.HolderVoucher}}","part":"whole","paymentTarget":0}""", 400, "invalid-field-type"),
        Body("settlement: a part with a space after it", School, "POST", Settle, w => $$"""{"voucherCode":"{{w.HolderVoucher}}","part":"whole "}""", 400, "invalid-field-type"),
        Body("claim: a level in Pascal case", s_stranger, "POST", Claim, _ => $$"""{"citizenId":"{{Stranger}}","level":"Technician"}""", 400, "invalid-field-type"),
        Body("class: sessions without their offsets", School, "POST", Classes,
            _ => $$"""{"classCode":"C-8","occupationCode":"{{Programme.Ecommerce}}","sessions":[{"start":"2026-04-01T09:00:00","end":"2026-04-01T10:00:00","mode":"offline"}]}""",
            400, "invalid-field-type"),
        Body("class: no sessions", School, "POST", Classes, _ => $$"""{"classCode":"C-8","occupationCode":"{{Programme.Ecommerce}}","sessions":[]}""", 400, "validation-failed", "sessions"),
        Body("class: a session ending before it starts", School, "POST", Classes,
            _ => $$"""{"classCode":"C-8","occupationCode":"{{Programme.Ecommerce}}","sessions":[{"start":"2026-04-01T10:00:00+08:00","end":"2026-04-01T09:00:00+08:00","mode":"offline"}]}""",
            400, "validation-failed", "sessions[0].end"),
        Body("class: a path in the class code", School, "POST", Classes,
            _ => $$"""{"classCode":"../../admin","occupationCode":"{{Programme.Ecommerce}}","sessions":[{"start":"2026-04-01T09:00:00+08:00","end":"2026-04-01T10:00:00+08:00","mode":"offline"}]}""",
            400, "validation-failed", "classCode"),
        Body("listing: latitude 200", Fujian, "PUT", Listing, _ => Listed("\"site\":{\"latitude\":200,\"longitude\":119.3}"), 400, "validation-failed", "site.latitude"),
        Body("listing: injection in the phone", Fujian, "PUT", Listing, _ => Listed($"\"contactPhone\":{JsonSerializer.Serialize(Injection)}"), 400, "validation-failed", "contactPhone"),
        Body("listing: injection in an occupation", Fujian, "PUT", Listing, _ => Listed($"\"occupations\":[{JsonSerializer.Serialize("4-10-01-02" + Injection)}]"), 400, "validation-failed", "occupations[0]"),
        Body("policy: zero months", Fujian, "PUT", Policy, _ => PolicyBody("{\"mode\":\"singleDeadline\",\"validMonths\":0}", 60), 400, "validation-failed", "validity.validMonths"),
        Body("policy: 101% attendance", Fujian, "PUT", Policy, _ => PolicyBody("{\"mode\":\"singleDeadline\",\"validMonths\":3}", 101), 400, "validation-failed", "attendanceThresholdPercent"),
        Body("policy: a period of the other mode", Fujian, "PUT", Policy, _ => PolicyBody("{\"mode\":\"singleDeadline\",\"validMonths\":3,\"useWithinMonths\":6}", 60), 400, "validation-failed", "validity.useWithinMonths"),
        Body("roster: a wrong check digit", School, "POST", Rosters, _ => Roster("R-8", WrongDigit(Stranger)), 400, "validation-failed", "entries[0].citizenId"),
        Body("roster: a space in its number", School, "POST", Rosters, _ => Roster("R 8", Stranger), 400, "validation-failed", "rosterNo"),
        Body("roster: nobody on it", School, "POST", Rosters, _ => $$"""{"rosterNo":"R-8","institutionId":"{{SchoolId}}","entries":[]}""", 400, "validation-failed", "entries"),
        Body("strike: an unknown kind", Fujian, "POST", Strikes, _ => """{"kind":"murder","reason":"x"}""", 400, "invalid-field-type"),
        Body("strike: no reason", Fujian, "POST", Strikes, _ => """{"kind":"qualityProblem","reason":"   "}""", 400, "validation-failed", "reason"),
        Body("strike: a bell in the reason", Fujian, "POST", Strikes, _ => """{"kind":"qualityProblem","reason":"late\u0007"}""", 400, "validation-failed", "reason"),
        Body("strike: a reason too long", Fujian, "POST", Strikes, _ => $$"""{"kind":"qualityProblem","reason":"{{new string('x', 501)}}"}""", 400, "validation-failed", "reason"),
        Body("decision: maybe", Fujian, "POST", "/api/v1/vouchers/{code}/settlement-decisions", _ => """{"part":"whole","decision":"maybe"}""", 400, "invalid-field-type"),
        Body("worker: a region of letters", Fujian, "PUT", Workers + Holder, _ => """{"unemploymentInsurance":[{"regionCode":"ABCDEF","months":12}]}""", 400, "validation-failed", "unemploymentInsurance[0].regionCode"),
        Body("worker: negative months", Fujian, "PUT", Workers + Holder, _ => """{"unemploymentInsurance":[{"regionCode":"350102","months":-1}]}""", 400, "validation-failed", "unemploymentInsurance[0].months"),
        Body("worker: a category with a space", Fujian, "PUT", Workers + Holder, _ => """{"categories":["Civil Servant"]}""", 400, "validation-failed", "categories[0]"),

        // Identifiers in the path.
        Path("path: a voucher code with a misread check", Fujian, "GET", w => $"/api/v1/vouchers/{WrongCheck(w.HolderVoucher)}", "voucherCode"),
        Path("path: injection as a voucher code", Fujian, "GET", _ => "/api/v1/vouchers/'%20OR%201=1--", "voucherCode"),
        Path("path: a citizen id with a wrong check digit", Fujian, "GET", _ => $"/api/v1/workers/{WrongDigit(Holder)}", "citizenId"),
        Path("path: a 4-digit region", Fujian, "GET", _ => "/api/v1/regions/3500/statistics", "regionCode"),
        Path("path: a year of letters", Fujian, "GET", _ => "/api/v1/regions/350000/catalogues/20x6", "year"),
        Path("path: an occupation with a space", Fujian, "DELETE", w => $"/api/v1/regions/350000/catalogues/{Year(w)}/occupations/4-10%2001-02", "occupationCode"),
        Path("path: injection as an institution", Fujian, "GET", _ => "/api/v1/institutions/FJ%27%3BDROP", "institutionId"),
        Path("path: a dot in a campaign id", Fujian, "POST", _ => "/api/v1/campaigns/mx.general/open", "campaignId"),
    ];

    /// <summary>The corpus, by case name.</summary>
    public static TheoryData<string> Cases
    {
        get
        {
            var names = new TheoryData<string>();
            foreach (var item in s_cases)
            {
                names.Add(item.Name);
            }

            return names;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_request_is_a_4xx_problem_naming_what_is_wrong_and_changes_nothing(string name)
    {
        var item = s_cases.Single(c => c.Name == name);
        var before = await world.SnapshotAsync();
        var request = new HttpRequestMessage(new HttpMethod(item.Method), item.Path(world).Replace("{code}", world.HolderVoucher, StringComparison.Ordinal));
        if (item.Body?.Invoke(world) is { } body)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        var problem = await Problem.AssertAsync(await world.As(item.Caller).SendAsync(request), item.Status, item.Code);

        if (item.Field is { } field)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"The errors do not name {field}: {problem}");
        }

        Assert.Equal(before, await world.SnapshotAsync());
    }

    [Fact]
    public async Task A_workers_codes_sent_with_spaces_around_them_are_stored_trimmed_as_they_were_checked()
    {
        var citizenId = Caller.CitizenId(Gulou, 90);
        var body = $$"""{"unemploymentInsurance":[{"regionCode":" {{Gulou}} ","months":12}],"categories":[" LowIncomeRural "],"householdRegion":"{{Gulou}} ","residenceRegion":" {{Siming}}"}""";

        var worker = await world.As(Fujian).SendJsonAsync(HttpMethod.Put, Workers + citizenId, body, null).ExpectAsync(201);

        var attributes = worker.GetProperty("attributes");
        Assert.Equal(Gulou, attributes.GetProperty("unemploymentInsurance")[0].Str("regionCode"));
        Assert.Equal("LowIncomeRural", attributes.GetProperty("categories")[0].GetString());
        Assert.Equal((Gulou, Siming), (attributes.Str("householdRegion"), attributes.Str("residenceRegion")));
    }

    [Fact]
    public async Task A_campaigns_eligibility_categories_sent_with_spaces_around_them_are_stored_trimmed()
    {
        var campaign = JsonSerializer.SerializeToNode(new Programme(world).General(Province))!.AsObject();
        campaign["eligibility"] = JsonNode.Parse("""{"excludedCategories":[" CivilServant "],"targetCategories":["LowIncomeRural "]}""");

        var created = await world.As(Fujian).SendJsonAsync(HttpMethod.Put, "/api/v1/campaigns/mx-trimmed", campaign.ToJsonString(), null).ExpectAsync(201);

        var eligibility = created.GetProperty("campaign").GetProperty("eligibility");
        Assert.Equal("CivilServant", eligibility.GetProperty("excludedCategories")[0].GetString());
        Assert.Equal("LowIncomeRural", eligibility.GetProperty("targetCategories")[0].GetString());
    }

    [Fact]
    public async Task A_catalogue_uplifts_category_sent_with_spaces_around_it_is_stored_trimmed()
    {
        const string body = """{"code":"L-TRIM","name":"Trimmed","kind":"knowledgeSkill","standards":[{"level":null,"subsidyFen":80000}],"uplifts":[{"category":" LowIncomeRural ","percent":20}]}""";

        var occupation = await world.As(Fujian).SendJsonAsync(HttpMethod.Put, $"/api/v1/regions/{Province}/catalogues/{Year(world)}/occupations/L-TRIM", body, null).ExpectAsync(200);

        Assert.Equal("LowIncomeRural", occupation.GetProperty("uplifts")[0].Str("category"));
    }

    [Fact]
    public void The_corpus_names_each_case_once() =>
        Assert.Equal(s_cases.Length, s_cases.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());

    private static Case Body(string name, Caller caller, string method, string path, Func<MatrixWorld, string> body, int status, string code, string? field = null) =>
        new(name, caller, method, _ => path, body, status, code, field);

    private static Case Path(string name, Caller caller, string method, Func<MatrixWorld, string> path, string field) =>
        new(name, caller, method, path, null, 400, "validation-failed", field);

    private static string Valid(MatrixWorld world) => VerifyBody(world.HolderVoucher, Holder, ClassCode);

    private static string VerifyBody(string code, string presenter, string classCode) =>
        JsonSerializer.Serialize(new { voucherCode = code, presenterCitizenId = presenter, classCode });

    private static string Campaign(MatrixWorld world, string field, string? json)
    {
        var campaign = JsonSerializer.SerializeToNode(new Programme(world).General(Province))!.AsObject();
        campaign.Remove(field);
        var text = campaign.ToJsonString();
        return json is null ? text : text[..^1] + $",\"{field}\":{json}}}";
    }

    private static string Listed(string replacement)
    {
        var listing = JsonSerializer.SerializeToNode(Programme.Listing(SchoolId, Gulou))!.AsObject();
        var field = replacement[1..replacement.IndexOf('"', 1)];
        listing.Remove(field);
        return listing.ToJsonString()[..^1] + "," + replacement + "}";
    }

    private static string PolicyBody(string validity, int attendance) =>
        $$"""{"validity":{{validity}},"yearlyLimits":{"perOccupation":1,"perYear":null},"oneLiveVoucher":true,"attendanceThresholdPercent":{{attendance}},"onlineShareCapPercent":40,"classRegistrationLeadDays":0,"sanctionStrikeLimit":3}""";

    private static string Roster(string rosterNo, string citizenId) =>
        JsonSerializer.Serialize(new { rosterNo, institutionId = SchoolId, entries = new[] { new { citizenId, occupationCode = Programme.Ecommerce } } });

    private static int Year(MatrixWorld world) => world.Now.ToOffset(TimeSpan.FromHours(8)).Year;

    /// <summary>The code with its check character replaced by another.</summary>
    private static string WrongCheck(string code) => code[..^1] + (code[^1] == '0' ? '1' : '0');

    /// <summary>The code with two adjacent payload characters swapped (they differ in a random code but rarely; pick a differing pair).</summary>
    private static string Swapped(string code)
    {
        var i = Enumerable.Range(0, code.Length - 2).First(i => code[i] != code[i + 1]);
        return string.Concat(code.AsSpan(0, i), code[i + 1].ToString(), code[i].ToString(), code.AsSpan(i + 2));
    }

    /// <summary>The citizen id with another check character.</summary>
    private static string WrongDigit(string citizenId) => citizenId[..^1] + (citizenId[^1] == '1' ? '2' : '1');

    /// <summary>One bad request and the problem it must get.</summary>
    private sealed record Case(string Name, Caller Caller, string Method, Func<MatrixWorld, string> Path, Func<MatrixWorld, string>? Body, int Status, string Code, string? Field);
}
