using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansVoucher.Silo;
using OrleansVoucher.Silo.Hosting;

namespace OrleansVoucher.SiloHost;

/// <summary>
/// Hosts one silo on a durable store and takes commands on stdin, one per line:
/// <c>inc KEY</c> increments a durable counter and answers <c>ack KEY VALUE</c> only once the write has
/// returned, i.e. is durable; <c>get KEY</c> answers <c>value KEY VALUE</c>; <c>quit</c> (or the end of
/// stdin) stops the silo gracefully and answers <c>stopped</c>. Commands run concurrently, so answers
/// come in completion order. A failed call answers <c>fail KEY MESSAGE</c>. Prints <c>ready</c> once
/// the silo takes calls.
/// </summary>
/// <remarks>Usage: <c>OrleansVoucher.SiloHost sqlite PATH</c> or <c>OrleansVoucher.SiloHost postgresql CONNECTION-STRING</c>.</remarks>
public static class Program
{
    private static readonly Lock s_output = new();

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 2 || args[0] is not ("sqlite" or "postgresql"))
        {
            await Console.Error.WriteLineAsync("Usage: OrleansVoucher.SiloHost (sqlite PATH | postgresql CONNECTION-STRING)");
            return 2;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });

        // Logs go to stderr: stdout carries the answers alone.
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSilo(silo =>
        {
            silo.AddGrain<DurableCounterGrain>();
            if (args[0] == "sqlite")
            {
                silo.UseSqliteStorage(options => options.DatabasePath = args[1]);
            }
            else
            {
                silo.UsePostgreSqlStorage(options => options.ConnectionString = args[1]);
            }
        });

        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        Answer("ready");

        var calls = new List<Task>();
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts is ["quit"])
            {
                break;
            }

            calls.Add(parts switch
            {
                ["inc", var key] => Run(key, "ack", () => grains.GetGrain<IDurableCounterGrain>(key).IncrementAsync()),
                ["get", var key] => Run(key, "value", () => grains.GetGrain<IDurableCounterGrain>(key).GetAsync()),
                _ => Task.Run(() => Answer($"error unknown command '{line}'")),
            });
        }

        await Task.WhenAll(calls);
        await host.StopAsync();
        Answer("stopped");
        return 0;
    }

    private static async Task Run(string key, string answer, Func<Task<long>> call)
    {
        try
        {
            var value = await call();
            Answer($"{answer} {key} {value}");
        }
        catch (Exception exception)
        {
            Answer($"fail {key} {exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>Writes one whole line and flushes it, so a reader never sees half an answer.</summary>
    private static void Answer(string line)
    {
        lock (s_output)
        {
            Console.Out.Write(line + "\n");
            Console.Out.Flush();
        }
    }
}
