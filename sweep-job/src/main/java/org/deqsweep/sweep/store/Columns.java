package org.deqsweep.sweep.store;

/**
 * The column names of the tables that are not result fields (DESIGN 5.4): run_id, the staging table's
 * curve, and the config keys the report and the table builders group or join by. The result columns are
 * {@code ResultFields}' names, from which the schemas in {@link Tables} and the one-run JSON are built.
 */
public final class Columns {
    public static final String RUN_ID = "run_id";
    public static final String CURVE = "curve";

    // config keys that the report and the table builders group or join by
    public static final String FAMILY = "family";
    public static final String ACTIVATION = "activation";
    public static final String D = "d";
    public static final String WIDTH = "width";
    public static final String STEP_SIZE = "step_size";
    public static final String SEED = "seed";

    private Columns() {
    }
}
