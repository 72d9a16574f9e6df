using System.Runtime;
using System.Runtime.InteropServices;

namespace OrleansVoucher.LoadTests.Reporting;

/// <summary>What a result was measured on, reported next to it.</summary>
internal static class MachineInfo
{
    public static int Cores => Environment.ProcessorCount;

    public static long MemoryBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    public static string OperatingSystem => RuntimeInformation.OSDescription;

    public static string DotNet => RuntimeInformation.FrameworkDescription;

    public static string GarbageCollector =>
        (GCSettings.IsServerGC ? "server" : "workstation") + (GCSettings.LatencyMode == GCLatencyMode.Batch ? ", non-concurrent" : ", concurrent");

    public static void AddTo(JsonSummary summary) => summary
        .Add("cores", Cores)
        .Add("memory_mb", MemoryBytes / (1024 * 1024))
        .Add("os", OperatingSystem)
        .Add("dotnet", DotNet)
        .Add("gc", GarbageCollector);

    public static void WriteTo(TextWriter writer) =>
        writer.WriteLine($"Machine: {Cores} cores, {MemoryBytes / (1024 * 1024)} MB, {OperatingSystem}, {DotNet}, {GarbageCollector} GC");
}
