package io.releasegate.sbom;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Identifies JVM archives that carry no Maven metadata of their own (no {@code pom.properties}) by finding
 * a file with the same name and the same SHA-1 in a Maven repository laid out on disk (a build's local
 * repository, such as {@code ~/.m2/repository}, or a mirror). A match is exact: the bytes are the ones that
 * repository holds under {@code group/artifact/version/}, so the Maven coordinates are read from that path,
 * never guessed from a file name or a manifest title. Archives without a match keep what their own
 * metadata says.
 *
 * <p>The repository is listed once, lazily, by file name only; just the candidates whose name matches an
 * unidentified archive are read and hashed.
 */
public final class MavenRepositoryIndex {

    /** Maven coordinates of one file in the repository. */
    public record Coordinates(String group, String artifact, String version, Optional<String> classifier, String type) {

        public String purl() {
            StringBuilder s = new StringBuilder("pkg:maven/").append(group).append('/').append(artifact).append('@').append(version);
            List<String> qualifiers = new ArrayList<>();
            classifier.ifPresent(c -> qualifiers.add("classifier=" + c));
            if (!type.equals("jar")) {
                qualifiers.add("type=" + type);
            }
            if (!qualifiers.isEmpty()) {
                s.append('?').append(String.join("&", qualifiers));
            }
            return s.toString();
        }
    }

    private final Path root;
    private Map<String, List<Path>> byFileName;
    private final Map<Path, String> sha1s = new HashMap<>();

    private MavenRepositoryIndex(Path root) {
        this.root = root;
    }

    /** An index over the Maven repository at {@code root}; refuses a path that is not a directory. */
    public static MavenRepositoryIndex of(Path root) {
        if (!Files.isDirectory(root)) {
            throw new io.releasegate.error.InputException("the Maven repository " + root + " is not a directory");
        }
        return new MavenRepositoryIndex(root.toAbsolutePath().normalize());
    }

    /** The coordinates of the repository file named {@code fileName} whose SHA-1 is {@code sha1}, if there is one. */
    public Optional<Coordinates> find(String fileName, String sha1) {
        for (Path candidate : files().getOrDefault(fileName, List.of())) {
            // the path is checked first (free), each candidate hashed once however many archives share its name
            Optional<Coordinates> c = coordinates(candidate)
                    .filter(k -> sha1s.computeIfAbsent(candidate, MavenRepositoryIndex::sha1).equalsIgnoreCase(sha1));
            if (c.isPresent()) {
                return c;
            }
        }
        return Optional.empty();
    }

    /**
     * The catalog with every Maven package that has no purl identified where the repository holds its exact
     * bytes: group, version and purl filled in from the repository path. Everything else is unchanged.
     */
    public Catalog identify(Catalog catalog) {
        List<SbomPackage> out = new ArrayList<>(catalog.packages().size());
        for (SbomPackage p : catalog.packages()) {
            Optional<Coordinates> c = Optional.empty();
            if (p.ecosystem().equals("maven") && p.purl().isEmpty() && p.hash("SHA-1").isPresent()) {
                String fileName = p.foundIn().substring(Math.max(p.foundIn().lastIndexOf('/'), p.foundIn().lastIndexOf('!')) + 1);
                c = find(fileName, p.hash("SHA-1").get());
            }
            out.add(c.map(k -> p.withMavenCoordinates(k.group(), k.artifact(), k.version(), k.purl())).orElse(p));
        }
        return new Catalog(out, catalog.roots(), catalog.warnings());
    }

    /** {@code root/g/r/o/u/p/artifact/version/artifact-version[-classifier].type}, or empty if the path is not laid out so. */
    Optional<Coordinates> coordinates(Path file) {
        Path rel = root.relativize(file);
        int n = rel.getNameCount();
        if (n < 4) {
            return Optional.empty();
        }
        String fileName = rel.getName(n - 1).toString();
        String version = rel.getName(n - 2).toString();
        String artifact = rel.getName(n - 3).toString();
        String prefix = artifact + "-" + version;
        int dot = fileName.lastIndexOf('.');
        if (!fileName.startsWith(prefix) || dot < prefix.length()) {
            return Optional.empty();
        }
        String rest = fileName.substring(prefix.length(), dot);
        if (!rest.isEmpty() && !rest.startsWith("-")) {
            return Optional.empty();
        }
        List<String> group = new ArrayList<>();
        for (int i = 0; i < n - 3; i++) {
            group.add(rel.getName(i).toString());
        }
        return Optional.of(new Coordinates(String.join(".", group), artifact, version,
                rest.isEmpty() ? Optional.empty() : Optional.of(rest.substring(1)), fileName.substring(dot + 1)));
    }

    private Map<String, List<Path>> files() {
        if (byFileName == null) {
            Map<String, List<Path>> m = new HashMap<>();
            try {
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        String name = file.getFileName().toString();
                        if (attrs.isRegularFile() && JvmCataloger.isArchive(name)) {
                            m.computeIfAbsent(name, k -> new ArrayList<>()).add(file);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE; // an unreadable corner of a shared repository identifies nothing
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the Maven repository " + root, e);
            }
            byFileName = m;
        }
        return byFileName;
    }

    private static String sha1(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            return ""; // unreadable: not a match
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
