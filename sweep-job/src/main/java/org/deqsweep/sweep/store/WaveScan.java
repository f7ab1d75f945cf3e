package org.deqsweep.sweep.store;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import org.deqsweep.core.train.ResultFields;

/**
 * The run_id and status columns of committed waves, read in one task with parquet-mr: {@link TableBuilder}'s
 * scans for --resume and the refinement's rounds when the waves are small (see {@link SmallRebuild} for why).
 *
 * @param waves        the waves' directories, qualified URIs (escaped)
 * @param conf         the session's Hadoop settings
 * @param withStatuses read the status column too (else every status is null)
 */
record WaveScan(List<String> waves, SerializableConfiguration conf, boolean withStatuses) implements Serializable {
    private static final StructType ID = new StructType().add(Columns.RUN_ID, DataTypes.StringType);
    private static final StructType ID_STATUS = ID.add(ResultFields.STATUS, DataTypes.StringType);

    /** Every run_id of the waves, with its status (a run_id held twice has one, since its run is deterministic). */
    Map<String, String> run() {
        Configuration c = conf.value();
        List<Path> files = new ArrayList<>();
        for (String w : waves) {
            Path p = new Path(java.net.URI.create(w));
            try {
                files.addAll(ParquetRows.dataFiles(p.getFileSystem(c), p));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("could not reach " + OutputDir.show(p), e);
            }
        }
        Map<String, String> out = new HashMap<>();
        ParquetRows.readInOrder(c, files, withStatuses ? ID_STATUS : ID, SmallRebuild.READ_THREADS,
                row -> out.put((String) row[0], withStatuses ? (String) row[1] : null));
        return out;
    }
}
