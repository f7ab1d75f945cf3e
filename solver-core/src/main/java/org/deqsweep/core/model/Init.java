package org.deqsweep.core.model;

import static org.deqsweep.core.math.RandomMatrices.fillGaussian;
import static org.deqsweep.core.math.RandomMatrices.orthogonal;
import static org.deqsweep.core.math.RandomMatrices.scaleToSpectralNorm;

import java.util.SplittableRandom;
import org.deqsweep.core.config.Family;
import org.deqsweep.core.config.RunConfig;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * A run's initial parameters and, for the implicit layer, its fixed feature map (DESIGN 2.5). Each draws
 * from its own stream, seeded by {@link RunConfig#streamSeed} from the seed and the keys that shape the
 * initialisation only, so runs that differ in how they train start from the same parameters.
 */
public final class Init {
    private final RunConfig cfg;
    private final SplittableRandom rng;

    private Init(RunConfig cfg) {
        this.cfg = cfg;
        this.rng = new SplittableRandom(cfg.streamSeed("init", RunConfig.INIT_KEYS));
    }

    /** The initial parameters of the run {@code cfg} describes. */
    public static Params params(RunConfig cfg) {
        return new Init(cfg).initialParams();
    }

    /** The implicit layer's feature map R (m x d), or null for the identity. */
    public static DMatrixRMaj featureMap(RunConfig cfg) {
        return new Init(cfg).features();
    }

    /**
     * Initial parameters (DESIGN 2.5): W_ij ~ w_center + init_scale N(0, 1) / sqrt(d); A by the init
     * scheme (gaussian entries a_scale N(0, 1) / sqrt(m); orthogonal a_norm Q; zero; spectral: gaussian
     * scaled to |A|_2 = a_norm) plus a_center I; b = 0; v ~ init_scale N(0, 1) / sqrt(m) when trained,
     * else 1 / sqrt(m) (v = 1 for the scalar families).
     */
    private Params initialParams() {
        int m = cfg.width();
        int d = cfg.d();
        if (cfg.family() == Family.IMPLICIT_LAYER) {
            return implicitLayerParams(m, cfg.model().outputs());
        }
        Params p = new Params(m, d);
        double initScale = cfg.init().scale();
        // He-style factor for the over-parameterized DEQ: U_ij ~ N(0, 2/d), A_ij ~ N(0, 2 s^2 / m) (DESIGN 2.4)
        double he = cfg.family() == Family.OVERPARAM_DEQ ? Math.sqrt(2.0) : 1.0;
        fillGaussian(p.W, he * initScale / Math.sqrt(d), rng);
        double wc = cfg.init().wCenter();
        for (int i = 0; i < p.W.data.length; i++) {
            p.W.data[i] += wc;
        }
        switch (cfg.init().scheme()) {
            case "gaussian":
                fillGaussian(p.A, he * cfg.init().aScale() / Math.sqrt(m), rng);
                break;
            case "orthogonal":
                orthogonal(p.A, rng);
                CommonOps_DDRM.scale(cfg.init().aNorm(), p.A);
                break;
            case "spectral":
                fillGaussian(p.A, 1.0, rng);
                scaleToSpectralNorm(p.A, cfg.init().aNorm());
                break;
            case "zero":
                break;
            default:
                throw new AssertionError(cfg.init().scheme());
        }
        double ac = cfg.init().aCenter();
        for (int i = 0; i < m; i++) {
            p.A.data[i * m + i] += ac;
        }
        if (cfg.model().trainV()) {
            fillGaussian(p.v, initScale / Math.sqrt(m), rng);
        } else {
            CommonOps_DDRM.fill(p.v, 1.0 / Math.sqrt(m));
        }
        return p;
    }

    /** Implicit layer (DESIGN 2.4): A_ij ~ N(0, a_scale^2 / m) under the init scheme, B (kept in W) ~ init_scale N(0, 1/m). */
    private Params implicitLayerParams(int m, int k) {
        DMatrixRMaj a = new DMatrixRMaj(m, m);
        switch (cfg.init().scheme()) {
            case "gaussian": fillGaussian(a, cfg.init().aScale() / Math.sqrt(m), rng); break;
            case "orthogonal": orthogonal(a, rng); CommonOps_DDRM.scale(cfg.init().aNorm(), a); break;
            case "spectral": fillGaussian(a, 1.0, rng); scaleToSpectralNorm(a, cfg.init().aNorm()); break;
            default: break;
        }
        DMatrixRMaj b = new DMatrixRMaj(k, m);
        fillGaussian(b, cfg.init().scale() / Math.sqrt(m), rng);
        return Params.blocks(a, b, new DMatrixRMaj(0, 1), new DMatrixRMaj(0, 1));
    }

    /**
     * The implicit layer's fixed feature map phi(x) = R x: R (m x d) with N(0, 1/d) entries from its own
     * stream, or null for the identity (width = d).
     */
    private DMatrixRMaj features() {
        if (cfg.model().featureMap().equals("identity")) {
            return null;
        }
        SplittableRandom r = new SplittableRandom(cfg.streamSeed("features", RunConfig.INIT_KEYS));
        DMatrixRMaj proj = new DMatrixRMaj(cfg.width(), cfg.d());
        fillGaussian(proj, 1.0 / Math.sqrt(cfg.d()), r);
        return proj;
    }
}
