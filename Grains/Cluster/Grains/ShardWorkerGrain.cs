using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Ml.Clustering;
using MassTransit;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Shard worker grain (cpu role): UMAP transform of a shard, k-means and Gaussian-mixture partial
/// statistics, and the final assignment. Each answer is a pure function of (shard, model), so the
/// coordinator's reduction does not depend on which silo did what.
/// </summary>
public sealed class ShardWorkerGrain(GrainContext grain)
    : IConsumer<EmbedShard>, IConsumer<ComputeKMeansStatistics>, IConsumer<ComputeMixtureStatistics>, IConsumer<AssignShard>
{
    /// <inheritdoc/>
    public Task Consume(ConsumeContext<EmbedShard> context)
    {
        var request = context.Message;
        return grain.Complete(context, request.JobId, request.Shard, request.OutputRef, () =>
        {
            var model = grain.ReadTransform(request.ModelRef);
            grain.Store.WriteMatrix(request.OutputRef, model.Transform(grain.Store.ReadMatrix(request.FeaturesRef)));
        });
    }

    /// <inheritdoc/>
    public Task Consume(ConsumeContext<ComputeKMeansStatistics> context)
    {
        var request = context.Message;
        return grain.Complete(context, request.JobId, request.Shard, request.OutputRef, () =>
        {
            var data = grain.Store.ReadMatrix(request.DataRef);
            var centres = grain.Store.ReadMatrix(request.CentresRef);
            var labels = new int[data.Rows];
            var distances = new float[data.Rows];
            NearestCentre.Assign(data, centres.Data, centres.Rows, labels, distances);
            var statistics = KMeansStatistics.Compute(data, centres.Rows, labels, distances);
            grain.Store.Write(request.OutputRef, stream => StatisticsCodec.Write(stream, statistics));
        });
    }

    /// <inheritdoc/>
    public Task Consume(ConsumeContext<ComputeMixtureStatistics> context)
    {
        var request = context.Message;
        return grain.Complete(context, request.JobId, request.Shard, request.OutputRef, () =>
        {
            var data = grain.Store.ReadMatrix(request.DataRef);
            GaussianMixtureStatistics statistics;
            if (request.FromCentres)
            {
                var centres = grain.Store.ReadMatrix(request.ModelRef);
                var labels = new int[data.Rows];
                NearestCentre.Assign(data, centres.Data, centres.Rows, labels, new float[data.Rows]);
                var covariance = Enum.Parse<CovarianceType>(request.CovarianceType, ignoreCase: true);
                statistics = GaussianMixtureStatistics.FromLabels(data, labels, centres.Rows, covariance);
            }
            else
            {
                var model = grain.Store.Read(request.ModelRef, GaussianMixtureModel.Load);
                statistics = GaussianMixtureStatistics.Compute(data, model);
            }
            grain.Store.Write(request.OutputRef, stream => StatisticsCodec.Write(stream, statistics));
        });
    }

    /// <inheritdoc/>
    public Task Consume(ConsumeContext<AssignShard> context)
    {
        var request = context.Message;
        return grain.Complete(context, request.JobId, request.Shard, request.OutputRef, () =>
        {
            var data = grain.Store.ReadMatrix(request.DataRef);
            IClusterModel model = request.ModelKind switch
            {
                KMeansModel.Kind => grain.Store.Read(request.ModelRef, KMeansModel.Load),
                GaussianMixtureModel.Kind => grain.Store.Read(request.ModelRef, GaussianMixtureModel.Load),
                _ => throw new ArgumentException($"unknown cluster model kind '{request.ModelKind}'"),
            };
            grain.Store.WriteLabels(request.OutputRef, model.Predict(data));
        });
    }
}
