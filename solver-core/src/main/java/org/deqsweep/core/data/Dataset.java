package org.deqsweep.core.data;

import org.ejml.data.DMatrixRMaj;

/**
 * Training data: X is n x d (one sample per row), Y is n x k (k = 1 for the DEQ families; one-hot
 * rows for classification), and the class labels when the data are classes.
 *
 * @param x inputs, n x d
 * @param y targets, n x k
 * @param labels class of each sample (0..k-1), or null for regression
 */
public record Dataset(DMatrixRMaj x, DMatrixRMaj y, int[] labels) {
    public Dataset {
        if (x.numRows != y.numRows || y.numCols < 1 || labels != null && labels.length != x.numRows) {
            throw new IllegalArgumentException("data shapes disagree: x is " + x.numRows + "x" + x.numCols + ", y is "
                    + y.numRows + "x" + y.numCols + (labels == null ? "" : ", " + labels.length + " labels")
                    + "; expected x n x d, y n x k and n labels");
        }
    }

    /** Regression data with one target per sample. */
    public Dataset(DMatrixRMaj x, DMatrixRMaj y) {
        this(x, y, null);
    }

    public int n() {
        return x.numRows;
    }

    public int d() {
        return x.numCols;
    }

    /** Number of outputs k. */
    public int k() {
        return y.numCols;
    }

    /** One-hot targets for {@code labels} over {@code k} classes. */
    public static DMatrixRMaj oneHot(int[] labels, int k) {
        DMatrixRMaj y = new DMatrixRMaj(labels.length, k);
        for (int i = 0; i < labels.length; i++) {
            y.data[i * k + labels[i]] = 1.0;
        }
        return y;
    }
}
