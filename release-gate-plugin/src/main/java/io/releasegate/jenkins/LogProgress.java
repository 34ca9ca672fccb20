package io.releasegate.jenkins;

import hudson.model.TaskListener;
import io.releasegate.progress.Progress;
import java.util.concurrent.atomic.AtomicLong;

/** Progress in the build log: a line at the start and at every tenth of the work. */
final class LogProgress implements Progress {

    private final TaskListener listener;
    private final AtomicLong done = new AtomicLong();
    private volatile long total;
    private volatile String task = "";
    private volatile long lastTenth;

    LogProgress(TaskListener listener) {
        this.listener = listener;
    }

    @Override
    public void start(String taskName, long totalBytes) {
        task = taskName;
        total = totalBytes;
        done.set(0);
        lastTenth = 0;
        listener.getLogger().println("[release-gate] " + taskName);
    }

    @Override
    public void advance(long bytes) {
        long d = done.addAndGet(bytes);
        if (total > 0) {
            long tenth = d * 10 / total;
            if (tenth > lastTenth) {
                lastTenth = tenth;
                listener.getLogger().println("[release-gate] " + task + ": " + (tenth * 10) + "%");
            }
        }
    }

    @Override
    public void finish() {
        // the 100% line was printed by advance
    }
}
