package io.releasegate.build;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One file a build produced: its name in the artifact (workspace-relative, '/'-separated), where
 * it is, and its size when resolved.
 */
public record BuildOutput(String name, Path file, long size) {

    public BuildOutput {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
    }
}
