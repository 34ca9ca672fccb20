package io.releasegate.digest;

import java.util.Objects;

/** An in-toto subject: a name (a workspace-relative path, or an artifact name) and its digest. */
public record Subject(String name, Digest digest) implements Comparable<Subject> {

    public Subject {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(digest, "digest");
    }

    @Override
    public int compareTo(Subject o) {
        int c = name.compareTo(o.name);
        return c != 0 ? c : digest.compareTo(o.digest);
    }
}
