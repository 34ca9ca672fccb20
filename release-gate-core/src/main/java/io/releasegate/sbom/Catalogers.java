package io.releasegate.sbom;

import io.releasegate.error.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Chooses the cataloger for a file by its name (and, for package databases, the directory it is in).
 * Every cataloger reads a stream it does not close, names its packages' refs after {@code path} (so refs
 * stay unique across the files of one SBOM), and reports unreadable input as warnings rather than failing.
 * {@link #catalogDirectory} walks a source checkout or an unpacked root filesystem (or an OCI image layout)
 * and merges what every cataloger finds into one catalog.
 */
public final class Catalogers {

    /** Directories deeper than this are not walked (a loop or a hostile tree). */
    static final int MAX_DIRECTORY_DEPTH = 128;

    private static final String STATUS_D = "var/lib/dpkg/status.d/";

    private Catalogers() {
    }

    /** Whether some cataloger reads a file of this name (or path inside an archive or layer). */
    public static boolean supports(String path) {
        return JvmCataloger.isArchive(path) || NpmCataloger.isLockfile(path) || CargoCataloger.isLockfile(path)
                || GoModCataloger.isGoMod(path) || PythonCataloger.isMetadata(path) || DpkgCataloger.isStatus(path)
                || ApkCataloger.isInstalledDb(path) || OciCataloger.isLayoutTar(path);
    }

    /**
     * Catalogs {@code in} (not closed), read as the file {@code path}. A go.mod read this way has no go.sum
     * and a METADATA no RECORD; {@link #catalogDirectory} gives them their siblings.
     */
    public static Catalog catalog(String path, InputStream in, Limits limits) {
        if (JvmCataloger.isArchive(path)) {
            return JvmCataloger.catalog(path, in, limits);
        }
        if (NpmCataloger.isLockfile(path)) {
            return NpmCataloger.catalog(path, in, limits);
        }
        if (CargoCataloger.isLockfile(path)) {
            return CargoCataloger.catalog(path, in, limits);
        }
        if (GoModCataloger.isGoMod(path)) {
            return GoModCataloger.catalog(path, in, Optional.empty(), limits);
        }
        if (PythonCataloger.isMetadata(path)) {
            return PythonCataloger.catalog(path, in, Optional.empty(), limits);
        }
        if (DpkgCataloger.isStatus(path)) {
            return DpkgCataloger.catalog(path, in, "debian", limits);
        }
        if (ApkCataloger.isInstalledDb(path)) {
            return ApkCataloger.catalog(path, in, "alpine", limits);
        }
        if (OciCataloger.isLayoutTar(path)) {
            try {
                return within(path, OciCataloger.catalogTar(path, in, Optional.empty(), limits).catalog());
            } catch (InputException e) {
                return new Catalog(List.of(), List.of(), List.of(path + ": " + e.getMessage()));
            }
        }
        throw new IllegalArgumentException("no cataloger reads " + path);
    }

    /**
     * Catalogs every file some cataloger reads under {@code root} (a source checkout or an unpacked root
     * filesystem; an OCI image layout is cataloged as the image), in a stable order, symbolic links not
     * followed, {@code .git} and the {@code node_modules} of a project with a lockfile skipped. Refs and
     * found-in paths are relative to {@code root}.
     */
    public static Catalog catalogDirectory(Path root, Limits limits) {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new InputException(root + " is not a directory");
        }
        if (Files.isRegularFile(root.resolve("oci-layout"), LinkOption.NOFOLLOW_LINKS)) {
            return OciCataloger.catalog(root, Optional.empty(), limits).catalog();
        }
        List<String> files = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        walk(root, "", 0, files, warnings, limits);
        List<Catalog> parts = new ArrayList<>();
        Map<String, List<String>> statusD = new LinkedHashMap<>();
        long found = 0;
        int counted = 0;
        for (String rel : files) {
            while (counted < parts.size()) {
                found += parts.get(counted++).packages().size();
            }
            if (found >= limits.maxPackages()) {
                warnings.add(limits.tooManyPackages()); // GenerateSbom lists the first of them
                break;
            }
            Path file = root.resolve(rel);
            if (OciCataloger.isLayoutTar(rel) && !JvmCataloger.isArchive(rel)) {
                continue; // a tar in a source tree is not assumed to be an image; catalog image layouts directly
            }
            int d = rel.indexOf(STATUS_D);
            if (DpkgCataloger.isStatus(rel) && d >= 0) {
                statusD.computeIfAbsent(rel.substring(0, d + STATUS_D.length() - 1), k -> new ArrayList<>()).add(rel);
                continue;
            }
            try (InputStream in = Files.newInputStream(file)) {
                if (GoModCataloger.isGoMod(rel)) {
                    parts.add(GoModCataloger.catalog(rel, in, sibling(file, "go.sum", warnings, rel), limits));
                } else if (PythonCataloger.isMetadata(rel)) {
                    parts.add(PythonCataloger.catalog(rel, in, sibling(file, "RECORD", warnings, rel), limits));
                } else if (DpkgCataloger.isStatus(rel)) {
                    parts.add(DpkgCataloger.catalog(rel, in, distro(root, rel, "var/lib/dpkg/", "debian"), limits));
                } else if (ApkCataloger.isInstalledDb(rel)) {
                    parts.add(ApkCataloger.catalog(rel, in, distro(root, rel, "lib/apk/db/", "alpine"), limits));
                } else {
                    parts.add(catalog(rel, in, limits));
                }
            } catch (IOException e) {
                warnings.add(rel + ": cannot be read (" + e.getMessage() + ")");
            }
        }
        // distroless images: one stanza per file in status.d, cataloged as one database so dependencies resolve across files
        statusD.forEach((dir, stanzas) -> {
            StringBuilder all = new StringBuilder();
            for (String rel : stanzas) {
                try (InputStream in = Files.newInputStream(root.resolve(rel))) {
                    Manifests.read(rel, in, warnings).ifPresent(t -> all.append(t.strip()).append("\n\n"));
                } catch (IOException e) {
                    warnings.add(rel + ": cannot be read (" + e.getMessage() + ")");
                }
            }
            parts.add(DpkgCataloger.catalog(dir, new java.io.ByteArrayInputStream(all.toString().getBytes(StandardCharsets.UTF_8)),
                    distro(root, dir, "var/lib/dpkg/", "debian"), limits));
        });
        return merge(parts, warnings);
    }

    /**
     * The catalogs as one: packages with a ref already seen are dropped with a warning, dependency refs to
     * packages that are not in the result are dropped (a Python requirement that is not installed), roots
     * and warnings kept in order without repeats.
     */
    public static Catalog merge(List<Catalog> parts, List<String> extraWarnings) {
        Map<String, SbomPackage> byRef = new LinkedHashMap<>();
        Set<String> roots = new LinkedHashSet<>();
        Set<String> warnings = new LinkedHashSet<>(extraWarnings);
        for (Catalog c : parts) {
            warnings.addAll(c.warnings());
            for (SbomPackage p : c.packages()) {
                if (byRef.putIfAbsent(p.ref(), p) != null) {
                    warnings.add(p.ref() + ": found twice; the first is kept");
                }
            }
            roots.addAll(c.roots());
        }
        List<SbomPackage> packages = byRef.values().stream()
                .map(p -> p.dependsOn().stream().allMatch(byRef::containsKey) ? p
                        : p.withDependsOn(p.dependsOn().stream().filter(byRef::containsKey).toList()))
                .toList();
        return new Catalog(packages, roots.stream().filter(byRef::containsKey).toList(), List.copyOf(warnings));
    }

    /** The catalog of what is inside the file {@code path}: refs, found-in paths and parents as {@code path!/inner}. */
    static Catalog within(String path, Catalog inner) {
        String prefix = path + "!/";
        List<SbomPackage> packages = inner.packages().stream().map(p -> new SbomPackage(prefix + p.ref(), p.type(), p.ecosystem(),
                p.name(), p.group(), p.version(), p.purl(), prefix + p.foundIn(), p.hashes(), p.licenses(), p.parent().map(x -> prefix + x),
                p.dependsOn().stream().map(d -> prefix + d).toList(), p.properties())).toList();
        return new Catalog(packages, inner.roots().stream().map(r -> prefix + r).toList(), inner.warnings());
    }

    private static void walk(Path root, String rel, int depth, List<String> files, List<String> warnings, Limits limits) {
        if (depth > MAX_DIRECTORY_DEPTH) {
            warnings.add(rel + ": deeper than " + MAX_DIRECTORY_DEPTH + " directories; not walked");
            return;
        }
        Path dir = rel.isEmpty() ? root : root.resolve(rel);
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = s.sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        } catch (IOException | UncheckedIOException e) {
            warnings.add((rel.isEmpty() ? "." : rel) + ": cannot be listed (" + e.getMessage() + ")");
            return;
        }
        boolean hasLockfile = children.stream().anyMatch(c -> c.getFileName().toString().equals("package-lock.json"));
        for (Path child : children) {
            String name = child.getFileName().toString();
            String childRel = rel.isEmpty() ? name : rel + "/" + name;
            if (Files.isSymbolicLink(child)) {
                continue;
            }
            if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                if (name.equals(".git") || (name.equals("node_modules") && hasLockfile)) {
                    continue;
                }
                walk(root, childRel, depth + 1, files, warnings, limits);
            } else if (Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS) && supports(childRel)) {
                if (files.size() >= limits.maxEntries()) {
                    String full = "more than " + limits.maxEntries() + " files to catalog; the rest was not cataloged";
                    if (!warnings.contains(full)) {
                        warnings.add(full);
                    }
                    return;
                }
                files.add(childRel);
            }
        }
    }

    private static Optional<String> sibling(Path file, String name, List<String> warnings, String rel) {
        Path s = file.resolveSibling(name);
        if (!Files.isRegularFile(s, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(s)) {
            return Manifests.read(rel.substring(0, rel.lastIndexOf('/') + 1) + name, in, warnings);
        } catch (IOException e) {
            warnings.add(rel + ": its " + name + " cannot be read (" + e.getMessage() + ")");
            return Optional.empty();
        }
    }

    /** The {@code ID} of the os-release of the filesystem the package database {@code rel} is in, else {@code fallback}. */
    static String distro(Path root, String rel, String dbDir, String fallback) {
        int at = rel.lastIndexOf(dbDir);
        String prefix = at >= 0 ? rel.substring(0, at) : "";
        for (String candidate : List.of("etc/os-release", "usr/lib/os-release")) {
            Path p = root.resolve(prefix + candidate);
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    byte[] b;
                    try (InputStream in = Files.newInputStream(p)) {
                        b = in.readNBytes(64 * 1024);
                    }
                    for (String line : new String(b, StandardCharsets.UTF_8).split("\n")) {
                        if (line.startsWith("ID=")) {
                            String id = line.substring(3).trim().replace("\"", "").replace("'", "");
                            if (id.matches("[a-z0-9._-]+")) {
                                return id;
                            }
                        }
                    }
                } catch (IOException e) {
                    return fallback;
                }
            }
        }
        return fallback;
    }

    /**
     * What comes before the first match of {@code regex} in {@code s}: empty, not an error, when {@code s} is nothing but
     * separators (where {@code s.split(regex)[0]} would throw).
     */
    static String head(String s, String regex) {
        String[] parts = s.split(regex, 2);
        return parts.length == 0 ? "" : parts[0];
    }
}
