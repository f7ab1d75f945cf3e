package org.deqsweep.sweep.engine;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The console progress line (DESIGN 5): done / total, failed, runs/s, ETA, on stderr about once a second
 * (in place on a terminal, a new line every 15 s otherwise). Counts come from accumulators the tasks add
 * to per run: their merged values at task end, plus the partial values executors report in heartbeats
 * for tasks still running; a listener counts finished tasks.
 */
final class Progress extends SparkListener implements AutoCloseable {
    private final SparkContext sc;
    private final String label;
    private final AtomicLong total;
    private final LongAccumulator done;
    private final LongAccumulator failed;
    private final LongAccumulator skipped;
    private final PrintWriter out;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private final AtomicLong tasksDone = new AtomicLong();
    /** (taskId, accumulator id) to the partial value a heartbeat reported. */
    private final Map<String, Long> inFlight = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker;
    private long lastLinePrinted;

    Progress(SparkContext sc, String label, long total, LongAccumulator done, LongAccumulator failed,
             LongAccumulator skipped, PrintWriter out) {
        this.sc = sc;
        this.label = label;
        this.total = new AtomicLong(total);
        this.done = done;
        this.failed = failed;
        this.skipped = skipped;
        this.out = out;
        this.terminal = System.console() != null;
        sc.addSparkListener(this);
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "deq-sweep-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        tasksDone.incrementAndGet();
        long task = end.taskInfo().taskId();
        inFlight.keySet().removeIf(k -> k.startsWith(task + ":"));
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> t
                : CollectionConverters.asJava(update.accumUpdates())) {
            long task = (Long) t._1();
            for (AccumulableInfo a : CollectionConverters.asJava(t._4())) {
                if (a.update().isDefined() && isOurs(a.id()) && a.update().get() instanceof Long v) {
                    inFlight.put(task + ":" + a.id(), v);
                }
            }
        }
    }

    private boolean isOurs(long id) {
        return id == done.id() || id == failed.id() || id == skipped.id();
    }

    private long partial(LongAccumulator acc) {
        String suffix = ":" + acc.id();
        long s = 0;
        for (Map.Entry<String, Long> e : inFlight.entrySet()) {
            if (e.getKey().endsWith(suffix)) {
                s += e.getValue();
            }
        }
        return s;
    }

    private void tick() {
        long now = System.nanoTime();
        if (!terminal && now - lastLinePrinted < TimeUnit.SECONDS.toNanos(15)) {
            return;
        }
        lastLinePrinted = now;
        String line = line(false);
        if (terminal) {
            out.print("\r" + line + "   ");
        } else {
            out.println(line);
        }
        out.flush();
    }

    String line(boolean fin) {
        long ran = done.value() + partial(done);
        long fail = failed.value() + partial(failed);
        long skip = skipped.value() + partial(skipped);
        long all = total.get();
        long finished = Math.min(all, ran + skip);
        double secs = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        double rate = ran / secs;
        String eta = fin ? "" : rate > 0 ? ", ETA " + hms((long) ((all - finished) / rate)) : ", ETA ?";
        String resumed = skip > 0 ? " (" + skip + " already present)" : "";
        return String.format("[%s] %d/%d done%s, %d failed, %.2f runs/s, %s elapsed%s, %d tasks",
                label, finished, all, resumed, fail, rate, hms((long) secs), eta, tasksDone.get());
    }

    /** Counts {@code more} points into the total: a refinement round's, once it is placed. */
    void addTotal(long more) {
        total.addAndGet(more);
    }

    static String hms(long s) {
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        sc.removeSparkListener(this);
        if (terminal) {
            out.print("\r");
        }
        out.println(line(true));
        out.flush();
    }
}
