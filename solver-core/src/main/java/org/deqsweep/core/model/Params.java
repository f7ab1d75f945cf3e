package org.deqsweep.core.model;

import org.deqsweep.core.math.Finite;
import org.ejml.data.DMatrixRMaj;

/**
 * Parameters of the general DEQ z* = act(A z* + W x + b), f(x) = v . z* (DESIGN 2.1). Mutable: the
 * trainers update them in place. Shapes: A m x m, W m x d, b m x 1, v m x 1.
 */
public final class Params {
    public final DMatrixRMaj A;
    public final DMatrixRMaj W;
    public final DMatrixRMaj b;
    public final DMatrixRMaj v;

    public Params(int m, int d) {
        this(new DMatrixRMaj(m, m), new DMatrixRMaj(m, d), new DMatrixRMaj(m, 1), new DMatrixRMaj(m, 1));
    }

    /** Wraps the given matrices (not copied); checks their shapes. */
    public Params(DMatrixRMaj A, DMatrixRMaj W, DMatrixRMaj b, DMatrixRMaj v) {
        int m = W.numRows;
        if (A.numRows != m || A.numCols != m || b.numRows != m || b.numCols != 1 || v.numRows != m || v.numCols != 1) {
            throw new IllegalArgumentException("parameter shapes disagree: A " + A.numRows + "x" + A.numCols + ", W "
                    + W.numRows + "x" + W.numCols + ", b " + b.numRows + "x" + b.numCols + ", v " + v.numRows + "x"
                    + v.numCols + "; expected A m x m, W m x d, b m x 1, v m x 1");
        }
        this.A = A;
        this.W = W;
        this.b = b;
        this.v = v;
    }

    /** Blocks of any shapes, unchecked: for models other than the general DEQ (the implicit layer keeps its readout B in W). */
    public static Params blocks(DMatrixRMaj A, DMatrixRMaj W, DMatrixRMaj b, DMatrixRMaj v) {
        return new Params(A, W, b, v, false);
    }

    private Params(DMatrixRMaj A, DMatrixRMaj W, DMatrixRMaj b, DMatrixRMaj v, boolean unchecked) {
        this.A = A;
        this.W = W;
        this.b = b;
        this.v = v;
    }

    /** Hidden width m (the order of A). */
    public int width() {
        return A.numRows;
    }

    public int dim() {
        return W.numCols;
    }

    public Params copy() {
        return new Params(A.copy(), W.copy(), b.copy(), v.copy(), false);
    }

    /** Number of scalars in A, W, b, v together (the layout of {@link #toVector}). */
    public int size() {
        return A.getNumElements() + W.getNumElements() + b.getNumElements() + v.getNumElements();
    }

    /** Writes A, W, b, v (row-major, in that order) into {@code out}, which must hold {@link #size()} values. */
    public double[] toVector(double[] out) {
        if (out == null) {
            out = new double[size()];
        }
        int k = 0;
        for (DMatrixRMaj M : new DMatrixRMaj[] {A, W, b, v}) {
            System.arraycopy(M.data, 0, out, k, M.getNumElements());
            k += M.getNumElements();
        }
        return out;
    }

    /** Reads A, W, b, v from the layout of {@link #toVector}. */
    public void fromVectorInPlace(double[] in) {
        int k = 0;
        for (DMatrixRMaj M : new DMatrixRMaj[] {A, W, b, v}) {
            System.arraycopy(in, k, M.data, 0, M.getNumElements());
            k += M.getNumElements();
        }
    }

    /** True when every entry is finite. */
    public boolean isFinite() {
        return Finite.allFinite(A) && Finite.allFinite(W) && Finite.allFinite(b) && Finite.allFinite(v);
    }
}
