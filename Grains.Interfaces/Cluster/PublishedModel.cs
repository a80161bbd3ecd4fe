namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>A model bundle made current.</summary>
/// <param name="Version">The bundle's model version.</param>
/// <param name="ModelRef">Store reference of the bundle directory.</param>
/// <param name="JobId">The job that fitted it.</param>
/// <param name="PublishedUtc">When it became current.</param>
[GenerateSerializer, Immutable]
public sealed record PublishedModel(string Version, string ModelRef, Guid JobId, DateTimeOffset PublishedUtc);
