namespace OrleansVoucher.Api.Tests.Infrastructure;

/// <summary>Valid identities for tests (check characters computed with ISO 7064 MOD 11-2).</summary>
public static class People
{
    /// <summary>A citizen id registered in Fuzhou's Gulou district, born 1990-01-01.</summary>
    public const string FuzhouWorker = "350102199001011238";

    /// <summary>A citizen id registered in Xiamen's Siming district, born 1985-12-31.</summary>
    public const string XiamenWorker = "350203198512310042";

    /// <summary>A citizen id registered in Beijing, born 1949-12-31, whose check character is X.</summary>
    public const string BeijingWorker = "11010519491231002X";
}
