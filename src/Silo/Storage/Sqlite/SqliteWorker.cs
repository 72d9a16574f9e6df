using System.Collections.Concurrent;

namespace OrleansVoucher.Silo.Storage.Sqlite;

/// <summary>
/// A dedicated thread that runs the blocking calls of one SQLite connection, so that waiting for the
/// disk never occupies a thread-pool thread. Work runs in the order it was posted.
/// </summary>
internal sealed class SqliteWorker : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;

    public SqliteWorker(string name)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the thread; the task completes off the thread.</summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                completion.TrySetResult(work());
            }
            catch (Exception exception)
            {
                completion.TrySetException(exception);
            }
        });
        return completion.Task;
    }

    /// <summary>Runs <paramref name="work"/> on the thread.</summary>
    public Task RunAsync(Action work) => RunAsync(() =>
    {
        work();
        return true;
    });

    /// <summary>
    /// Lets the thread finish the work already posted, then ends it. Runs <paramref name="last"/> on
    /// the thread first, without blocking the caller while the thread works through its queue.
    /// </summary>
    public async Task StopAsync(Action last)
    {
        await RunAsync(last).ConfigureAwait(false);
        Dispose();
    }

    /// <summary>Lets the thread finish the work already posted, then ends it.</summary>
    public void Dispose()
    {
        _work.CompleteAdding();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }

        _work.Dispose();
    }

    private void Run()
    {
        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }
}
