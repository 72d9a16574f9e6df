using OrleansVoucher.Api.Logging;
using OrleansVoucher.Api.Tests.Infrastructure;

namespace OrleansVoucher.Api.Tests.Logging;

/// <summary>What <see cref="Redact"/> masks, and what it leaves.</summary>
public sealed class RedactTests
{
    [Fact]
    public void A_citizen_id_keeps_its_first_and_last_four_characters()
    {
        Assert.Equal("3501**********1234", Redact.CitizenId("350102199001011234"));
        Assert.Equal("1101**********002X", Redact.CitizenId(People.BeijingWorker));
        Assert.Equal("", Redact.CitizenId(null));
        Assert.Equal("*****", Redact.CitizenId("12345"));
    }

    [Theory]
    [InlineData("GET /api/v1/workers/350102199001011238/vouchers", "GET /api/v1/workers/3501**********1238/vouchers")]
    [InlineData("holder=11010519491231002x&x=1", "holder=1101**********002x&x=1")]
    [InlineData("Authorization: Bearer abc.def-ghi", "Authorization: [token]")]
    [InlineData("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl end", "token [token] end")]
    [InlineData("order 1234567890123456789 of 19 digits stays", "order 1234567890123456789 of 19 digits stays")]
    [InlineData("voucher ABCD-EFGH-JKMN-PQ stays", "voucher ABCD-EFGH-JKMN-PQ stays")]
    public void Text_masks_ids_and_tokens_and_nothing_else(string text, string expected)
    {
        Assert.Equal(expected, Redact.Text(text));
    }
}
