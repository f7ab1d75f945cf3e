package org.deqsweep.sweep.engine;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.scheduler.StageInfo;

/**
 * Counts the tasks of one job group that are running on the executors. Cancelling a Spark job fails
 * it on the driver at once, but its running tasks end later (a task sees the kill between two runs):
 * until they have, a task may still commit files into a wave's temporary directory. The sweep waits
 * on this count after a failed wave, so nothing writes after the command returns (DESIGN 5).
 *
 * <p>Fed by Spark's listener bus, which delivers events asynchronously but in order. A task's start is
 * posted before its job can fail on the driver, so once the driver has seen every job of the group end,
 * draining the bus ({@link #awaitIdle}) makes the count complete: it then only falls.
 */
final class GroupTasks extends SparkListener implements AutoCloseable {
    private static final String JOB_GROUP = "spark.jobGroup.id";

    private final SparkContext sc;
    private final String group;
    private final Set<Integer> stages = new HashSet<>();
    private final Map<Long, Integer> running = new HashMap<>();

    GroupTasks(SparkContext sc, String group) {
        this.sc = sc;
        this.group = group;
        sc.addSparkListener(this);
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart e) {
        if (e.properties() != null && group.equals(e.properties().getProperty(JOB_GROUP))) {
            for (StageInfo s : scala.jdk.javaapi.CollectionConverters.asJava(e.stageInfos())) {
                stages.add(s.stageId());
            }
        }
    }

    @Override
    public synchronized void onTaskStart(SparkListenerTaskStart e) {
        if (stages.contains(e.stageId())) {
            running.merge(e.taskInfo().taskId(), 1, Integer::sum);
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
        if (stages.contains(e.stageId())) {
            running.remove(e.taskInfo().taskId());
            notifyAll();
        }
    }

    /** Tasks of the group started and not yet ended, as far as the listener bus has delivered. */
    synchronized int running() {
        return running.size();
    }

    /**
     * Waits until no task of the group runs, or {@code timeoutMs} has passed.
     *
     * @return true when none runs
     */
    boolean awaitIdle(long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        try {
            // every event posted so far reaches this listener (public in bytecode; Spark's stop() uses it too)
            sc.listenerBus().waitUntilEmpty(timeoutMs);
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
        return awaitNoneRunning(end);
    }

    private synchronized boolean awaitNoneRunning(long end) throws InterruptedException {
        while (!running.isEmpty()) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(Math.min(left, 200));
        }
        return true;
    }

    @Override
    public void close() {
        sc.removeSparkListener(this);
    }
}
