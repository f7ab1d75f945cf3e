package org.deqsweep.sweep.report;

import java.util.List;
import java.util.Optional;
import org.deqsweep.core.train.ResultFields;
import org.deqsweep.core.train.Status;
import org.deqsweep.sweep.store.Columns;
import org.deqsweep.sweep.store.Sql;

/**
 * A section drawn from the per-(family, activation, size, step size) cells view, which the heatmaps and the
 * stability boundary share: the view is built once per report, and such a section applies when the runs
 * table has the columns the cells group by and the sweep has at least two step sizes.
 */
abstract class CellsSection extends ReportSection {
    /** Statuses that count as divergence for the stability boundary (as the stability table). */
    static final List<String> DIVERGED = List.of(Status.DIVERGED.name(), Status.NAN.name());

    /** Why a single step size leaves nothing to draw. */
    private final String singleStep;

    CellsSection(String heading, String name, String singleStep) {
        super(heading, name);
        this.singleStep = singleStep;
    }

    /** Builds the cells view when the columns are there. */
    @Override
    final Optional<String> whyNot(ReportContext c) {
        SweepColumns w = c.sweep();
        if (!w.columns().containsAll(List.of(Columns.STEP_SIZE, w.sizeKey(), Columns.FAMILY, Columns.ACTIVATION))) {
            return Optional.of("the runs table lacks step_size, " + w.sizeKey() + ", family or activation");
        }
        register(c);
        if (c.distinctSteps(null) < 2) {
            return Optional.of(singleStep);
        }
        return Optional.empty();
    }

    private static void register(ReportContext c) {
        String view = c.views().cells();
        if (c.spark().catalog().tableExists(view)) {
            return;
        }
        SweepColumns w = c.sweep();
        String failed = Sql.isFailure();
        String diverged = Sql.in(ResultFields.STATUS, DIVERGED);
        c.spark().sql("SELECT family, activation, CAST(" + Sql.ident(w.sizeKey()) + " AS DOUBLE) AS sz, step_size, count(*) AS runs, "
                + w.orNull(ResultFields.KAPPA, "percentile(kappa, 0.5)") + " AS kappa_med, "
                + "avg(CASE WHEN " + failed + " THEN 1.0D ELSE 0.0D END) AS fail_frac, "
                + "count_if(status = 'CONVERGED') AS n_conv, count_if(" + diverged + ") AS n_div, "
                + "count_if(" + failed + ") AS n_fail, "
                + w.orNull(ResultFields.STEP_THEORY, "percentile(step_theory, 0.5)") + " AS st_med "
                + "FROM " + c.views().runs() + " GROUP BY 1, 2, 3, 4").createOrReplaceTempView(view);
        c.spark().catalog().cacheTable(view);
    }
}
