namespace Distributed.Ml.Data;

/// <summary>Turns a decoded array into one integer label per image.</summary>
public static class LabelDecoder
{
    /// <summary>Accepts shapes (N,) and (N,1) of integer values.</summary>
    /// <exception cref="DataFormatException">Wrong shape, no labels, or non-integer values.</exception>
    public static int[] Decode(NumericArray array)
    {
        var shape = array.Shape;
        var isVector = shape.Length == 1 || (shape.Length == 2 && shape[1] == 1);
        if (!isVector)
        {
            throw new DataFormatException($"labels must have shape (N,) or (N, 1), found {array.ShapeText}");
        }
        if (shape[0] == 0)
        {
            throw new DataFormatException("contains zero labels");
        }
        return array.ToInt32();
    }
}
