package dev.grustream.train.internals;

/**
 * The weight matrices of {@link GruParameters} in their natural row-major layout, one {@code float[]} per gate
 * row: what back-propagating to a layer's inputs needs. {@code dx = W^T dg} is then a sum of rows scaled by
 * {@code dg[i]}, contiguous loops that C2 vectorises, where the transposed layout would need a dot product per
 * input, a float reduction C2 does not vectorise (it would change the rounding).
 *
 * <p>Rebuilt with {@link #refresh(GruParameters)} after every change of the parameters; read-only in between, and
 * then safe to share between threads.
 */
public final class RowMajorWeights {

    final float[][][] inputRows;
    final float[][][] hiddenRows;
    final float[][][] candidateRows;

    /** Empty rows for {@code shape}'s sizes; call {@link #refresh} before use. */
    public RowMajorWeights(GruParameters shape) {
        int h = shape.hidden;
        inputRows = new float[shape.layers][][];
        hiddenRows = new float[shape.layers][][];
        candidateRows = new float[shape.layers][][];
        for (int k = 0; k < shape.layers; k++) {
            // Layer 0's inputs are the data, whose gradient nobody needs.
            inputRows[k] = k == 0 ? null : new float[3 * h][h];
            hiddenRows[k] = new float[shape.resetAfter ? 3 * h : 2 * h][h];
            candidateRows[k] = shape.resetAfter ? null : new float[h][h];
        }
    }

    /** Copies {@code parameters}' weights into these rows. */
    public void refresh(GruParameters parameters) {
        for (int k = 0; k < parameters.layers; k++) {
            if (inputRows[k] != null) {
                transpose(parameters.inputWeights[k], inputRows[k]);
            }
            transpose(parameters.hiddenWeights[k], hiddenRows[k]);
            if (candidateRows[k] != null) {
                transpose(parameters.candidateWeights[k], candidateRows[k]);
            }
        }
    }

    private static void transpose(float[][] columns, float[][] rows) {
        for (int c = 0; c < columns.length; c++) {
            float[] column = columns[c];
            for (int r = 0; r < column.length; r++) {
                rows[r][c] = column[r];
            }
        }
    }
}
