package io.releasegate.sbom;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What catalogers found in one subject: packages, the refs of the top-level ones (what the subject
 * itself directly contains or depends on), and warnings about input that could not be read fully.
 */
public record Catalog(List<SbomPackage> packages, List<String> roots, List<String> warnings) {

    public Catalog {
        packages = List.copyOf(packages);
        roots = List.copyOf(roots);
        warnings = List.copyOf(warnings);
    }

    public static Catalog empty() {
        return new Catalog(List.of(), List.of(), List.of());
    }

    /** Both catalogs together; refs must already be unique across them. */
    public Catalog plus(Catalog other) {
        List<SbomPackage> p = new ArrayList<>(packages);
        p.addAll(other.packages);
        List<String> r = new ArrayList<>(roots);
        r.addAll(other.roots);
        List<String> w = new ArrayList<>(warnings);
        w.addAll(other.warnings);
        return new Catalog(p, r, w);
    }

    /** The packages in a stable order (by ref), for deterministic output. */
    public List<SbomPackage> sorted() {
        return packages.stream().sorted(Comparator.comparing(SbomPackage::ref)).toList();
    }
}
