package io.releasegate.digest;

import io.releasegate.error.InputException;
import io.releasegate.progress.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * SHA-256 of files, streamed through a fixed buffer so that a file of any size costs the same
 * memory, and of many files in parallel. Configured once, then used; thread-safe.
 *
 * <pre>{@code
 * Digester digester = Digester.withParallelism(4);
 * Digest d = digester.digest(path, Progress.NONE);
 * List<Digest> all = digester.digestAll(paths, progress);
 * }</pre>
 */
public final class Digester {

    /** Read size per call: large enough to amortise system calls, small enough to stay in cache. */
    static final int BUFFER_SIZE = 64 * 1024;

    private final int parallelism;

    private Digester(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
        }
        this.parallelism = parallelism;
    }

    /** One thread per available processor. */
    public static Digester defaults() {
        return new Digester(Runtime.getRuntime().availableProcessors());
    }

    public static Digester withParallelism(int parallelism) {
        return new Digester(parallelism);
    }

    public int parallelism() {
        return parallelism;
    }

    /** SHA-256 of bytes in memory. */
    public static Digest of(byte[] content) {
        return Digest.sha256(sha256().digest(content));
    }

    /** SHA-256 of a stream, read to its end (the caller closes it). */
    public static Digest of(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) >= 0; ) {
            md.update(buf, 0, n);
        }
        return Digest.sha256(md.digest());
    }

    /**
     * SHA-256 of one file, streamed. A missing or unreadable file is an {@link InputException}
     * naming it.
     */
    public Digest digest(Path file, Progress progress) {
        MessageDigest md = sha256();
        byte[] array = new byte[BUFFER_SIZE];
        ByteBuffer buffer = ByteBuffer.wrap(array);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int n; (n = ch.read(buffer.clear())) >= 0; ) {
                md.update(array, 0, n);
                progress.advance(n);
            }
        } catch (NoSuchFileException e) {
            throw new InputException("file not found: " + file, e);
        } catch (AccessDeniedException e) {
            throw new InputException("file not readable: " + file + " (permission denied)", e);
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return Digest.sha256(md.digest());
    }

    /**
     * Digests of many files, in the order given, computed on up to {@code parallelism} threads.
     * The first failure is rethrown after the others stop.
     */
    public List<Digest> digestAll(List<Path> files, Progress progress) {
        if (files.size() <= 1 || parallelism == 1) {
            List<Digest> out = new ArrayList<>(files.size());
            for (Path f : files) {
                out.add(digest(f, progress));
            }
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, files.size()), r -> {
            Thread t = new Thread(r, "release-gate-digest");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Digest>> futures = new ArrayList<>(files.size());
            for (Path f : files) {
                futures.add(pool.submit(() -> digest(f, progress)));
            }
            List<Digest> out = new ArrayList<>(files.size());
            for (Future<Digest> future : futures) {
                out.add(await(future));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Digest await(Future<Digest> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InputException("interrupted while digesting", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new InputException("digesting failed: " + e.getCause(), e.getCause());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
