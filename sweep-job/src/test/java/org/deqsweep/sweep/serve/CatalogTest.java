package org.deqsweep.sweep.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deqsweep.sweep.SparkTestBase;
import org.deqsweep.sweep.SweepFixtures;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.SweepSource;
import org.junit.jupiter.api.Test;

/**
 * The server's catalog statements on the shared session: a running sweep's views are replaced in place
 * (no window without them), a finished sweep's are tables, and database names are SQL-safe.
 */
class CatalogTest extends SparkTestBase {

    @Test
    void databaseNamesAreLowerCaseIdentifiers() {
        assertEquals("quickstart", Catalog.databaseOf("quickstart"));
        assertEquals("seed000_linear_rate", Catalog.databaseOf("seed000-linear-rate"));
        assertEquals("s_2024_grid", Catalog.databaseOf("2024.Grid"));
        assertEquals("s_default", Catalog.databaseOf("Default"), "default holds a single sweep's views");
        assertEquals("s_global_temp", Catalog.databaseOf("global_temp"));
        assertEquals("file:/out/exp\\[1\\]/\\{a\\}/x\\*", Catalog.globEscaped("file:/out/exp[1]/{a}/x*"));
    }

    @Test
    void aFinishedSweepIsTablesAndASingleOneIsAlsoTheDefaultDatabase() throws Exception {
        Path reference = SweepFixtures.referenceDir();
        String db = "catalog_test_tiny";
        for (String st : Catalog.statements(spark(), db, SweepSource.open(reference))) {
            spark().sql(st);
        }
        for (String st : Catalog.defaults(spark(), db)) {
            spark().sql(st);
        }
        try {
            assertEquals("EXTERNAL", spark().catalog().getTable(db, "runs").tableType());
            // (runs is partitioned: this shared session manages partitions, so it would need RECOVER PARTITIONS first; the
            // server's session does not, and ServeTest counts its runs)
            assertEquals(SweepFixtures.table(spark(), reference, "stability").count(),
                    spark().sql("SELECT count(*) FROM default.stability").first().getLong(0));
            // registered again (a rebuild): the default views are altered, not dropped
            List<String> again = Catalog.defaults(spark(), db);
            assertTrue(again.stream().allMatch(st -> st.startsWith("ALTER VIEW")), again.toString());
        } finally {
            for (String t : Catalog.TABLES) {
                spark().sql("DROP VIEW IF EXISTS default." + t);
            }
            spark().sql("DROP DATABASE " + db + " CASCADE");
        }
    }

    @Test
    void aRunningSweepsViewsAreReplacedWithoutADrop() throws Exception {
        Path reference = SweepFixtures.referenceDir();
        Path live = tmp.resolve("live");
        Files.createDirectories(live.resolve("_waves"));
        Files.copy(reference.resolve("_sweep.json"), live.resolve("_sweep.json"));
        List<Path> waves = SweepFixtures.local(new OutputDir(reference).committedWaves());
        SweepFixtures.copyTree(waves.get(0), live.resolve("_waves").resolve(waves.get(0).getFileName()));
        OutputDir dir = new OutputDir(live);
        SweepSource src = SweepSource.open(live);
        assertEquals(SweepSource.Kind.WAVES, src.kind());
        String db = "catalog_test_live";
        for (String st : Catalog.statements(spark(), db, src)) {
            spark().sql(st);
        }
        long first = spark().read().parquet(waves.get(0).toString()).count();
        assertEquals(first, spark().sql("SELECT count(*) FROM " + db + ".runs").first().getLong(0));
        SweepFixtures.copyTree(waves.get(1), live.resolve("_waves").resolve(waves.get(1).getFileName()));
        List<String> again = Catalog.statements(spark(), db, SweepSource.open(live));
        assertTrue(again.stream().noneMatch(s -> s.startsWith("DROP")), "views are replaced in place: " + again);
        for (String st : again) {
            spark().sql(st);
        }
        assertEquals(first + spark().read().parquet(waves.get(1).toString()).count(),
                spark().sql("SELECT count(*) FROM " + db + ".runs").first().getLong(0));
        assertEquals(2, dir.committedWaves().size());
        spark().sql("DROP DATABASE " + db + " CASCADE");
    }
}
