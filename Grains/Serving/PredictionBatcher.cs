using Distributed.Ml.Data;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Serving;

/// <summary>
/// Coalesces concurrent small prediction requests into one model call per model snapshot: a
/// network's products over a block of rows read each weight once for all of them. Nothing waits
/// for a batch to fill. A request that finds nothing queued and nothing being predicted is
/// predicted at once on its own thread (handing it to a worker and the answer back cost two thread
/// wake-ups, a fifth of a lone request's CPU); otherwise it is queued, and a worker takes whatever
/// is queued when it becomes free, so under load the queue itself forms the batches.
/// </summary>
/// <remarks>
/// Every stage predicts each row independently of the others in its batch (UMAP's transform
/// places each row by its own seed; the forest and novelty are per row), so a request's answer
/// does not depend on what it was batched with. Tests hold batched answers equal to lone ones.
/// </remarks>
internal sealed class PredictionBatcher
{
    // A plain queue under a lock, waited on with Monitor.Wait: a worker that finds it empty sleeps
    // at once. Blocking on a channel's WaitToReadAsync task spun first (sched_yield in a loop), and
    // at one request at a time that spin and its system calls were a tenth of the server's CPU.
    private readonly Queue<Pending> _queue = new();
    private readonly object _gate = new();
    private int _running;
    private readonly int _maxRows;
    private readonly Lazy<Thread[]> _workers;

    public PredictionBatcher(int workers, int maxRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        _maxRows = maxRows;
        // Threads of their own: predictions are long CPU work, and on the thread pool they would hold
        // the threads Kestrel needs to read requests and write answers (on 2 cores the pool starts
        // with 2), which showed as a p99 ten times the median.
        _workers = new Lazy<Thread[]>(() => [.. Enumerable.Range(0, workers).Select(i =>
        {
            var thread = new Thread(Work) { IsBackground = true, Name = $"prediction-batcher-{i}" };
            thread.Start();
            return thread;
        })]);
    }

    /// <summary>Queues <paramref name="images"/> for <paramref name="model"/>; completes with their rows of the batch's prediction.</summary>
    public Task<PipelinePrediction> PredictAsync(PipelineModel model, Matrix images, CancellationToken cancellationToken)
    {
        _ = _workers.Value;
        Pending? pending = null;
        lock (_gate)
        {
            if (_queue.Count == 0 && _running == 0)
            {
                _running++;
            }
            else
            {
                pending = new Pending(model, images, new TaskCompletionSource<PipelinePrediction>(TaskCreationOptions.RunContinuationsAsynchronously));
                _queue.Enqueue(pending);
                Monitor.Pulse(_gate);
            }
        }
        if (pending is null)
        {
            try
            {
                return Task.FromResult(Predictor.PredictSequentially(model, images));
            }
            catch (Exception e)
            {
                return Task.FromException<PipelinePrediction>(e);
            }
            finally
            {
                lock (_gate)
                {
                    _running--;
                }
            }
        }
        return pending.Answer.Task.WaitAsync(cancellationToken);
    }

    private void Work()
    {
        var taken = new List<Pending>();
        // Blocking waits keep the loop on this thread (an await would resume on the pool).
        while (true)
        {
            taken.Clear();
            lock (_gate)
            {
                while (_queue.Count == 0)
                {
                    Monitor.Wait(_gate);
                }
                var rows = 0;
                while (rows < _maxRows && _queue.TryDequeue(out var next))
                {
                    taken.Add(next);
                    rows += next.Images.Rows;
                }
                _running++;
            }
            // A model swap mid-queue splits the batch: every request is answered by the model it was given.
            foreach (var group in taken.GroupBy(p => p.Model))
            {
                Run([.. group]);
            }
            lock (_gate)
            {
                _running--;
            }
        }
    }

    private static void Run(Pending[] batch)
    {
        try
        {
            var model = batch[0].Model;
            var total = batch.Sum(p => p.Images.Rows);
            var images = new Matrix(total, ImageShape.Pixels);
            var offset = 0;
            foreach (var pending in batch)
            {
                pending.Images.Data.CopyTo(images.RowBlock(offset, pending.Images.Rows));
                offset += pending.Images.Rows;
            }
            var prediction = Predictor.PredictSequentially(model, images);
            offset = 0;
            foreach (var pending in batch)
            {
                pending.Answer.SetResult(Slice(prediction, offset, pending.Images.Rows));
                offset += pending.Images.Rows;
            }
        }
        catch (Exception e)
        {
            foreach (var pending in batch)
            {
                pending.Answer.TrySetException(e);
            }
        }
    }

    private static PipelinePrediction Slice(PipelinePrediction prediction, int start, int count)
    {
        var probabilities = new Matrix(count, prediction.Probabilities.Cols, prediction.Probabilities.RowBlock(start, count).ToArray());
        return new PipelinePrediction(prediction.Clusters[start..(start + count)], probabilities, prediction.ClusterIds,
            prediction.Novelty?[start..(start + count)]);
    }

    private sealed record Pending(PipelineModel Model, Matrix Images, TaskCompletionSource<PipelinePrediction> Answer);
}
