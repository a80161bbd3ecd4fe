namespace Distributed.Bench;

/// <summary>An entry that cannot run on this machine (e.g. no CUDA device): reported as skipped with the reason, never with a figure.</summary>
internal sealed class EntrySkippedException(string reason) : Exception(reason);
