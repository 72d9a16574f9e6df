namespace OrleansVoucher.Silo.Hosting;

/// <summary>The grain storage providers a silo can be configured with.</summary>
public enum StorageProvider
{
    /// <summary>A file-based SQLite database: the embedded default, nothing to install.</summary>
    Sqlite,

    /// <summary>PostgreSQL through Npgsql: for production, and for several silos sharing one store.</summary>
    PostgreSql,

    /// <summary>This process's memory; nothing survives it. For tests and demonstrations.</summary>
    Memory,
}
