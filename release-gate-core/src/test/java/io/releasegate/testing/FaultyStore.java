package io.releasegate.testing;

import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.progress.Progress;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.StoredManifest;
import io.releasegate.store.TagResult;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Fault injection around a real store: the N-th blob upload fails as a dropped connection would. */
public final class FaultyStore implements ArtifactStore {

    private final ArtifactStore delegate;
    private final int failOnBlob;
    private final AtomicInteger blobs = new AtomicInteger();

    public FaultyStore(ArtifactStore delegate, int failOnBlob) {
        this.delegate = delegate;
        this.failOnBlob = failOnBlob;
    }

    private void maybeFail() {
        if (blobs.incrementAndGet() == failOnBlob) {
            throw new InputException("connection reset while uploading (injected)");
        }
    }

    @Override
    public String location() {
        return delegate.location();
    }

    @Override
    public boolean hasBlob(String repository, Digest digest) {
        return delegate.hasBlob(repository, digest);
    }

    @Override
    public void pushBlob(String repository, Digest digest, long size, Path file, Progress progress) {
        maybeFail();
        delegate.pushBlob(repository, digest, size, file, progress);
    }

    @Override
    public void pushBlob(String repository, Digest digest, byte[] content) {
        maybeFail();
        delegate.pushBlob(repository, digest, content);
    }

    @Override
    public InputStream openBlob(String repository, Digest digest) {
        return delegate.openBlob(repository, digest);
    }

    @Override
    public Optional<StoredManifest> fetchManifest(String repository, String reference) {
        return delegate.fetchManifest(repository, reference);
    }

    @Override
    public TagResult pushManifest(String repository, Optional<String> tag, String mediaType, byte[] manifest) {
        return delegate.pushManifest(repository, tag, mediaType, manifest);
    }

    @Override
    public List<String> tags(String repository) {
        return delegate.tags(repository);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
