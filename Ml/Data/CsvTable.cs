namespace Distributed.Ml.Data;

/// <summary>
/// A numeric table read from CSV: pixel columns as float32 and an optional integer label column
/// (the Kaggle digit-recognizer layout: <c>label,pixel0,...,pixel783</c>, or pixels only).
/// </summary>
/// <param name="Values">Row-major values of the non-label columns.</param>
/// <param name="Rows">Number of data rows.</param>
/// <param name="Columns">Number of non-label columns.</param>
/// <param name="Labels">The <c>label</c> column, when the header has one.</param>
public sealed record CsvTable(float[] Values, int Rows, int Columns, int[]? Labels);
