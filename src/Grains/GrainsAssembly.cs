namespace OrleansVoucher.Grains;

/// <summary>Names the assembly of the voucher programme's grains, for registering them with a silo.</summary>
public static class GrainsAssembly;
