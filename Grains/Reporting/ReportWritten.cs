namespace Distributed.Grains.Reporting;

/// <summary>Where a report was written, its size and how long it took.</summary>
public sealed record ReportWritten(string Path, long Bytes, TimeSpan Elapsed);
