package org.deqsweep.core;

import org.ejml.data.DMatrixRMaj;

/**
 * Training data: X is n x d (one sample per row), y is n x 1.
 *
 * @param x inputs, n x d
 * @param y targets, n x 1
 */
public record Dataset(DMatrixRMaj x, DMatrixRMaj y) {
    public Dataset {
        if (x.numRows != y.numRows || y.numCols != 1) {
            throw new IllegalArgumentException("data shapes disagree: x is " + x.numRows + "x" + x.numCols + ", y is "
                    + y.numRows + "x" + y.numCols + "; expected x n x d and y n x 1");
        }
    }

    public int n() {
        return x.numRows;
    }

    public int d() {
        return x.numCols;
    }
}
