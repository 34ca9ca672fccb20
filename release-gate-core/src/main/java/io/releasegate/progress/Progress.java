package io.releasegate.progress;

/**
 * Receives progress of long operations (digesting, uploading). The CLI renders it on a terminal;
 * the plugin writes it to the build log; {@link #NONE} ignores it. Implementations must be
 * thread-safe: parallel work reports from several threads.
 */
public interface Progress {

    Progress NONE = new Progress() {
        @Override
        public void start(String task, long totalBytes) {
        }

        @Override
        public void advance(long bytes) {
        }

        @Override
        public void finish() {
        }
    };

    /** A task begins; {@code totalBytes} may be -1 when unknown. */
    void start(String task, long totalBytes);

    /** {@code bytes} more were processed. */
    void advance(long bytes);

    /** The current task is complete. */
    void finish();
}
