package io.releasegate.cli;

import io.releasegate.progress.Progress;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress on a terminal: one line on stderr, redrawn at most ten times a second, showing bytes
 * done, total and throughput. Used only when stderr is a terminal and output is not JSON.
 */
final class TerminalProgress implements Progress {

    private final PrintWriter err;
    private final AtomicLong done = new AtomicLong();
    private volatile long total;
    private volatile String task = "";
    private volatile long started;
    private volatile long lastDraw;

    TerminalProgress(PrintWriter err) {
        this.err = err;
    }

    /** A terminal renderer when one is attached and wanted, otherwise {@link Progress#NONE}. */
    static Progress forTerminal(PrintWriter err, boolean wanted) {
        return wanted && System.console() != null ? new TerminalProgress(err) : Progress.NONE;
    }

    @Override
    public void start(String taskName, long totalBytes) {
        task = taskName;
        total = totalBytes;
        done.set(0);
        started = System.nanoTime();
        lastDraw = 0;
    }

    @Override
    public void advance(long bytes) {
        long now = System.nanoTime();
        long d = done.addAndGet(bytes);
        if (now - lastDraw > 100_000_000L) {
            lastDraw = now;
            draw(d, now);
        }
    }

    @Override
    public void finish() {
        draw(done.get(), System.nanoTime());
        synchronized (err) {
            err.print("\n");
            err.flush();
        }
    }

    private void draw(long d, long now) {
        double secs = Math.max(1e-9, (now - started) / 1e9);
        String pct = total > 0 ? String.format(" %3d%%", Math.min(100, d * 100 / total)) : "";
        String line = String.format("\r%s:%s %s / %s  %s/s", task, pct, human(d), total > 0 ? human(total) : "?",
                human((long) (d / secs)));
        synchronized (err) {
            err.print(line);
            err.flush();
        }
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double v = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format("%.1f %s", v, units[i]);
    }
}
