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
 * same bits on every run. Public so that model/ can use it for its GEMMs. Workspace: the packed factor (k x m) and one m-row, reallocated only when
 * the shape changes; {@link #mult} allocates nothing. Not thread-safe.
 */
public final class RowGemm {
    private double[][] rows = new double[0][];
    private double[] crow = new double[0];
    private double[] crow1 = new double[0];
    /** From this width on, {@link #mult} runs the two-row kernel. */
    static final int PAIR_MIN_WIDTH = 128;
    /** From this width on (below the pair width), rows run in {@link #rowsMid}, below it in {@link #rowsNarrow}. */
    static final int MID_MIN_WIDTH = 32;
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
            crow1 = new double[m];
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
            crow1 = new double[m];
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
        if (m >= PAIR_MIN_WIDTH) {
            pairWide(b, c, n);
        } else if (m >= MID_MIN_WIDTH) {
            rowsMid(b, c, 0, n);
        } else {
            rowsNarrow(b, c, 0, n);
        }
    }

    /*
     * Why three kernels, two of them the same code. C2 (JDK 17) unrolls, hence vectorises, an inner
     * loop only when that loop's profiled trip count is large enough; one j-loop shared by every width
     * gets the profile of the widths a JVM saw first. An executor trains many shapes: after m = 1 to 64
     * runs, the m = 512 GEMM ran 2.3x slower than in a fresh JVM (4.2 against 1.8 steps/s, CoreBenchmark
     * --no-peer --only d5-m1,...,d100-m512). Each width class therefore has its own copy of the loop,
     * with its own profile, and each kernel is a per-row call (compiled as a method, not only
     * on-stack-replaced: a wide kernel called a few times per step with the loop over all rows inside
     * ran 1.7x slower).
     */

    /**
     * Two rows of C (i and i + 1) per pass over R, three rows of R per j-loop: 3 loads of R feed 12
     * flops (the one-row form: 4 loads for 8). +15-22% steps/s at m = 512, +14-17% at m = 128, -7% at
     * m = 64 (hence {@link #PAIR_MIN_WIDTH}). Larger blocks (4 x 4, 2 x 4, 1 x 8) are not vectorised by
     * C2 on JDK 17 (GemmBench).
     */
    private void pairWide(double[] b, double[] c, int n) {
        double[] acc = crow;
        double[] acc1 = crow1;
        int i = 0;
        for (; i + 1 < n; i += 2) {
        Arrays.fill(acc, 0.0);
        Arrays.fill(acc1, 0.0);
        int bi = i * k;
        int bj = bi + k;
        int p = 0;
        for (; p + 2 < k; p += 3) {
            double b0 = b[bi + p];
            double b1 = b[bi + p + 1];
            double b2 = b[bi + p + 2];
            double e0 = b[bj + p];
            double e1 = b[bj + p + 1];
            double e2 = b[bj + p + 2];
            double[] r0 = rows[p];
            double[] r1 = rows[p + 1];
            double[] r2 = rows[p + 2];
            for (int j = 0; j < m; j++) {
                double x0 = r0[j];
                double x1 = r1[j];
                double x2 = r2[j];
                acc[j] += b0 * x0 + b1 * x1 + b2 * x2;
                acc1[j] += e0 * x0 + e1 * x1 + e2 * x2;
            }
        }
        for (; p < k; p++) {
            double b0 = b[bi + p];
            double e0 = b[bj + p];
            double[] r0 = rows[p];
            for (int j = 0; j < m; j++) {
                double x0 = r0[j];
                acc[j] += b0 * x0;
                acc1[j] += e0 * x0;
            }
        }
        System.arraycopy(acc, 0, c, i * m, m);
        System.arraycopy(acc1, 0, c, (i + 1) * m, m);
        }
        rowsMid(b, c, i, n); // the odd last row
    }

    /** Row i of C, four rows of R per j-loop, for {@link #MID_MIN_WIDTH} &lt;= m (see the note above). */
    private void rowsMid(double[] b, double[] c, int from, int n) {
        double[] acc = crow;
        for (int i = from; i < n; i++) {
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

    /** The same as {@link #rowsMid} for m below {@link #MID_MIN_WIDTH}: a copy with its own loop profile. */
    private void rowsNarrow(double[] b, double[] c, int from, int n) {
        double[] acc = crow;
        for (int i = from; i < n; i++) {
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
