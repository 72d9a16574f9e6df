namespace OrleansVoucher.Testing;

/// <summary>Settings of a throwaway <see cref="PostgresServer"/>.</summary>
public sealed class PostgresServerOptions
{
    /// <summary>
    /// The directory holding <c>initdb</c> and <c>pg_ctl</c>. When null, the directory named by the
    /// <c>ORLEANSVOUCHER_PG_BIN</c> environment variable, then the PATH, then
    /// <c>/usr/lib/postgresql/*/bin</c> (newest first) are searched.
    /// </summary>
    public string? BinDirectory { get; set; }

    /// <summary>The server's <c>max_connections</c>.</summary>
    public int MaxConnections { get; set; } = 200;

    /// <summary>The server's <c>shared_buffers</c>.</summary>
    public string SharedBuffers { get; set; } = "128MB";

    /// <summary>
    /// Whether commits are flushed to disk (<c>fsync</c>). On by default so that measurements against the
    /// server include the cost of durability.
    /// </summary>
    public bool Fsync { get; set; } = true;

    /// <summary>Further <c>postgresql.conf</c> settings, by name, written verbatim.</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How long the server may take to start or stop.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);
}
