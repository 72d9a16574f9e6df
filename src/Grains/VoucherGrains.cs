using System.Reflection;
using OrleansVoucher.Grains.Common;
using OrleansVoucher.Silo.Hosting;

namespace OrleansVoucher.Grains;

/// <summary>Hosts the voucher programme's grains in a silo.</summary>
public static class VoucherGrains
{
    /// <summary>The assembly holding the grain classes.</summary>
    public static Assembly Assembly => typeof(VoucherGrains).Assembly;

    /// <summary>Hosts every grain of the voucher programme, their states written by generated code.</summary>
    public static ISiloBuilder AddVoucherGrains(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddGrains(Assembly).AddStateJson(GrainsJsonContext.Default);
    }
}
