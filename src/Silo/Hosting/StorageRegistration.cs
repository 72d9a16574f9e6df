namespace OrleansVoucher.Silo.Hosting;

/// <summary>Records a named grain storage so the silo can initialize it at start and drain it at stop.</summary>
internal sealed record StorageRegistration(string Name);
