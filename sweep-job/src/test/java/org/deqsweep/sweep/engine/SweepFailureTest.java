package org.deqsweep.sweep.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkException;
import org.deqsweep.sweep.store.OutputDir;
import org.junit.jupiter.api.Test;

/** The one paragraph a failed sweep ends with, for the failures the storage layer raises. */
class SweepFailureTest {
    private final OutputDir dir = new OutputDir(Path.of("/data/out/quick"));
    private final Path log = Path.of("/data/out/quick/_sweep.log");

    @Test
    void aFullDiskInATaskIsNamedFromSparksText() {
        // how a task's failure reaches the driver: Spark's message carries the task's exception as text
        SparkException e = new SparkException("Job aborted due to stage failure: Task 3 in stage 7.0 failed 1 times, most"
                + " recent failure: Lost task 3.0 in stage 7.0 (TID 12) (localhost executor driver): java.io.IOException:"
                + " No space left on device\n\tat java.base/java.io.FileOutputStream.writeBytes(Native Method)\n",
                new IOException("No space left on device"));
        SweepFailure f = SweepFailure.of(e, dir, 3, "./submit.sh q.yaml --out /data/out --resume", log);
        assertEquals(SweepFailure.Kind.DISK_FULL, f.kind());
        assertEquals("could not write the sweep's output: the disk is full (No space left on device) under /data/out/quick."
                + " 3 waves committed before it are kept in /data/out/quick/_waves; nothing half-written is kept. Once there"
                + " is room, continue with:" + System.lineSeparator() + "  ./submit.sh q.yaml --out /data/out --resume"
                + System.lineSeparator() + "The stack trace is in /data/out/quick/_sweep.log (or rerun with --verbose).",
                f.getMessage());
    }

    @Test
    void aDeniedPermissionNamesThePath() {
        UncheckedIOException e = new UncheckedIOException("could not commit wave",
                new AccessDeniedException("/data/out/quick/_waves/a001-w00004"));
        SweepFailure f = SweepFailure.of(e, dir, 1, "r", log);
        assertEquals(SweepFailure.Kind.PERMISSION, f.kind());
        assertTrue(f.getMessage().startsWith("could not write the sweep's output: permission was denied"
                + " (/data/out/quick/_waves/a001-w00004) at /data/out/quick/_waves/a001-w00004. 1 wave committed before"
                + " it is kept"), f.getMessage());
        assertTrue(f.getMessage().contains("Once the directory is writable, continue with:"), f.getMessage());
    }

    @Test
    void aFailureThatIsNotStorageStillSaysHowToContinue() {
        SweepFailure f = SweepFailure.of(new IllegalStateException("executor lost"), dir, 0, "r", log);
        assertEquals(SweepFailure.Kind.OTHER, f.kind());
        assertTrue(f.getMessage().startsWith("the sweep stopped: IllegalStateException: executor lost. No committed wave is"
                + " kept (none is in /data/out/quick/_waves)"), f.getMessage());
        assertFalse(f.getMessage().contains("\tat "));
    }

    @Test
    void aDirectoryHadoopCouldNotCreateNamesTheWaveNotSparksAttempt() {
        SparkException e = new SparkException("Job aborted due to stage failure: most recent failure: Lost task 0.0 in"
                + " stage 2.0 (TID 16) (localhost executor driver): java.io.IOException: Mkdirs failed to create"
                + " file:/data/out/quick/_waves/.tmp-a001-w00002/_temporary/0/_temporary/attempt_2026_0002_m_000000_16"
                + " (exists=false, cwd=file:/work)");
        SweepFailure f = SweepFailure.of(e, dir, 1, List.of(new org.apache.hadoop.fs.Path("file:/data/out/quick/_waves/.tmp-a001-w00001")), "r", log);
        assertEquals(SweepFailure.Kind.MKDIRS, f.kind());
        assertTrue(f.getMessage().contains("a directory of the output could not be created (Mkdirs failed to create file:")
                && f.getMessage().contains(" at /data/out/quick/_waves/.tmp-a001-w00002. 1 wave committed before it is kept"
                + " in /data/out/quick/_waves; its unfinished waves could not be removed"
                + " (/data/out/quick/_waves/.tmp-a001-w00001): nothing reads them, and the next run removes them."),
                f.getMessage());
    }

    @Test
    void theResumeCommandQuotesWhatTheShellWouldSplit() {
        String c = SweepFailure.resumeCommand("./submit.sh", "conf/q.yaml", "/data/my out", List.of("grid.seed=range(0, 2)"),
                "local[2]", Map.of("spark.executor.memory", "2g"));
        assertEquals("./submit.sh conf/q.yaml --out '/data/my out' --resume --master 'local[2]' --set 'grid.seed=range(0, 2)'"
                + " --conf spark.executor.memory=2g", c);
    }
}
