package org.deqsweep.core.solve;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;

/**
 * C = B R with the right factor R packed once as separate row arrays, the GEMM of the solvers' hot
 * loops (the forward map Z A^T and the adjoint map (D o Nu) A, DESIGN 2.1 and 3).
 *
 * <p>Why row arrays: the inner loop {@code c[j] += b0 r0[j] + b1 r1[j] + b2 r2[j] + b3 r3[j]} is
 * vectorised by C2 (JDK 17) only when every array is indexed by the same {@code j}; on one flat
 * array with row offsets ({@code c[ci + j] += b0 m[r0 + j]}) it stays scalar, because the
 * offsets may make the arrays overlap. Measured on this project's 2-core EPYC (AVX-512), thread CPU
 * time: 15-19 GFLOP/s for this form against 2-5 for EJML's {@code multTransB} / {@code mult} and
 * for the flat-array form (BENCHMARKS.md). Each result row is accumulated in a scratch row and
 * copied out.
 *
 * <p>Results agree with EJML to round-off (another summation order), not bit for bit, and are the
 * same bits on every run. Public so that grad/ can use it for its GEMMs (PERF-PROPOSALS.md). Workspace: the packed factor (k x m) and one m-row, reallocated only when
 * the shape changes; {@link #mult} allocates nothing. Not thread-safe.
 */
public final class RowGemm {
    private double[][] rows = new double[0][];
    private double[] crow = new double[0];
    private int k = -1;
    private int m = -1;

    /**
     * Packs the right factor: R = M, or R = M^T when {@code transpose}.
     *
     * @param M Input: not modified (copied)
     */
    public void setRight(DMatrixRMaj M, boolean transpose) {
        int rk = transpose ? M.numCols : M.numRows;
        int rm = transpose ? M.numRows : M.numCols;
        if (rk != k || rm != m) {
            k = rk;
            m = rm;
            rows = new double[k][m];
            crow = new double[m];
        }
        double[] d = M.data;
        int cols = M.numCols;
        if (transpose) {
            for (int p = 0; p < k; p++) {
                double[] r = rows[p];
                for (int j = 0; j < m; j++) {
                    r[j] = d[j * cols + p];
                }
            }
        } else {
            for (int p = 0; p < k; p++) {
                System.arraycopy(d, p * cols, rows[p], 0, m);
            }
        }
    }

    /**
     * Packs the right factor from row arrays: R = M, or R = M^T when {@code transpose}, M being
     * {@code mr} x {@code mc} held as {@code M[i][0..mc)}.
     *
     * @param M Input: not modified (copied)
     */
    public void setRight(double[][] M, int mr, int mc, boolean transpose) {
        int rk = transpose ? mc : mr;
        int rm = transpose ? mr : mc;
        if (rk != k || rm != m) {
            k = rk;
            m = rm;
            rows = new double[k][m];
            crow = new double[m];
        }
        if (transpose) {
            for (int p = 0; p < k; p++) {
                double[] r = rows[p];
                for (int j = 0; j < m; j++) {
                    r[j] = M[j][p];
                }
            }
        } else {
            for (int p = 0; p < k; p++) {
                System.arraycopy(M[p], 0, rows[p], 0, m);
            }
        }
    }

    /** Rows of the packed right factor (its k). */
    public int inner() {
        return k;
    }

    /**
     * C = B R.
     *
     * @param B Input: n x k, not modified
     * @param C Output: reshaped to n x m; may not be B
     * @throws IllegalArgumentException when B's columns are not R's rows
     */
    public void mult(DMatrixRMaj B, DMatrixRMaj C) {
        if (B.numCols != k) {
            throw new IllegalArgumentException("B must have " + k + " columns (the rows of R, which is " + k + " x " + m
                    + "), got B " + Batch.shape(B));
        }
        if (C == B) {
            throw new IllegalArgumentException("C must not be B");
        }
        int n = B.numRows;
        C.reshape(n, m);
        double[] b = B.data;
        double[] c = C.data;
        double[] acc = crow;
        for (int i = 0; i < n; i++) {
            Arrays.fill(acc, 0.0);
            int bi = i * k;
            int p = 0;
            for (; p + 3 < k; p += 4) {
                double b0 = b[bi + p];
                double b1 = b[bi + p + 1];
                double b2 = b[bi + p + 2];
                double b3 = b[bi + p + 3];
                double[] r0 = rows[p];
                double[] r1 = rows[p + 1];
                double[] r2 = rows[p + 2];
                double[] r3 = rows[p + 3];
                for (int j = 0; j < m; j++) {
                    acc[j] += b0 * r0[j] + b1 * r1[j] + b2 * r2[j] + b3 * r3[j];
                }
            }
            for (; p < k; p++) {
                double b0 = b[bi + p];
                double[] r0 = rows[p];
                for (int j = 0; j < m; j++) {
                    acc[j] += b0 * r0[j];
                }
            }
            System.arraycopy(acc, 0, c, i * m, m);
        }
    }
}
