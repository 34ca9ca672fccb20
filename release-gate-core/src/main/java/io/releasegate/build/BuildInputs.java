package io.releasegate.build;

import io.releasegate.error.InputException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Turns what a user names as build outputs (files, directories, globs, an OCI image layout) into
 * the exact list of files to publish. Everything is checked before anything is published: a
 * missing path, a glob matching nothing, a path or symlink leading outside the workspace, a file
 * that is not a regular file or cannot be read are {@link InputException}s naming the path.
 */
public final class BuildInputs {

    /** Directories never taken as build outputs when walking. */
    private static final Set<String> SKIPPED_DIRS = Set.of(".git", ".release-gate");

    private BuildInputs() {
    }

    /** The resolved inputs: either files, or exactly one OCI image layout directory. */
    public sealed interface Resolved {
    }

    public record FileList(List<BuildOutput> outputs) implements Resolved {
        public FileList {
            outputs = List.copyOf(outputs);
        }
    }

    public record ImageLayout(Path directory) implements Resolved {
    }

    public static Resolved resolve(Path workspace, List<String> specs) {
        if (specs.isEmpty()) {
            throw new InputException("no build outputs given: name at least one file, directory, glob or OCI image layout");
        }
        Path ws = realWorkspace(workspace);
        Map<String, BuildOutput> outputs = new TreeMap<>();
        Optional<Path> layout = Optional.empty();
        for (String spec : specs) {
            if (spec == null || spec.isBlank()) {
                throw new InputException("an empty build output path was given");
            }
            if (isGlob(spec)) {
                List<Path> matches = glob(ws, spec);
                if (matches.isEmpty()) {
                    throw new InputException("glob '" + spec + "' matched no files in " + ws);
                }
                for (Path p : matches) {
                    addFile(ws, p, outputs);
                }
                continue;
            }
            Path p = ws.resolve(spec).normalize();
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new InputException("no such file or directory: " + spec + " (in workspace " + ws + ")");
            }
            Path real = inside(ws, p, spec);
            if (Files.isDirectory(real)) {
                if (Files.isRegularFile(real.resolve("oci-layout"))) {
                    if (layout.isPresent()) {
                        throw new InputException("only one OCI image layout can be published per version; got "
                                + layout.get() + " and " + real);
                    }
                    layout = Optional.of(real);
                } else {
                    List<Path> files = walk(ws, p);
                    if (files.isEmpty()) {
                        throw new InputException("directory " + spec + " contains no files");
                    }
                    for (Path f : files) {
                        addFile(ws, f, outputs);
                    }
                }
            } else {
                addFile(ws, p, outputs);
            }
        }
        if (layout.isPresent()) {
            if (!outputs.isEmpty()) {
                throw new InputException("an OCI image layout (" + layout.get() + ") is published on its own; "
                        + "publish the other files as a separate name");
            }
            return new ImageLayout(layout.get());
        }
        return new FileList(new ArrayList<>(outputs.values()));
    }

    private static Path realWorkspace(Path workspace) {
        try {
            return workspace.toRealPath();
        } catch (IOException e) {
            throw new InputException("workspace " + workspace + " does not exist or cannot be read", e);
        }
    }

    /** Whether {@code spec} is a glob (has {@code * ? [ {}). */
    public static boolean isGlob(String spec) {
        return spec.indexOf('*') >= 0 || spec.indexOf('?') >= 0 || spec.indexOf('[') >= 0 || spec.indexOf('{') >= 0;
    }

    /** The files under the workspace matching the relative glob {@code spec}, sorted ({@code .git} and our state skipped). */
    public static List<Path> glob(Path ws, String spec) {
        if (Path.of(spec).isAbsolute()) {
            throw new InputException("glob '" + spec + "' must be relative to the workspace " + ws);
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + spec);
        List<Path> out = new ArrayList<>();
        for (Path f : walk(ws, ws)) {
            if (matcher.matches(ws.relativize(f))) {
                out.add(f);
            }
        }
        return out;
    }

    /** Regular files and symlinks under {@code dir}, sorted, skipping .git and our own state. */
    private static List<Path> walk(Path ws, Path dir) {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir, Integer.MAX_VALUE, new FileVisitOption[0])) {
            s.filter(p -> !p.equals(dir))
                    .filter(p -> !skipped(ws, p))
                    .filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .sorted()
                    .forEach(out::add);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new InputException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static boolean skipped(Path ws, Path p) {
        for (Path part : ws.relativize(p)) {
            if (SKIPPED_DIRS.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }

    private static void addFile(Path ws, Path p, Map<String, BuildOutput> outputs) {
        String display = ws.relativize(p).toString();
        Path real = inside(ws, p, display);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(real, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new InputException("no such file: " + display, e);
        } catch (IOException e) {
            throw new InputException("cannot read " + display + ": " + e.getMessage(), e);
        }
        if (!attrs.isRegularFile()) {
            throw new InputException(display + " is not a regular file (devices, sockets and pipes cannot be published)");
        }
        if (!Files.isReadable(real)) {
            throw new InputException("file not readable: " + display + " (permission denied)");
        }
        String name = ws.relativize(p).toString().replace('\\', '/');
        outputs.putIfAbsent(name, new BuildOutput(name, real, attrs.size()));
    }

    /** The real path of {@code p}, which must stay inside the workspace even through symlinks. */
    private static Path inside(Path ws, Path p, String display) {
        if (!p.normalize().startsWith(ws)) {
            throw new InputException(display + " is outside the workspace " + ws
                    + "; only files the build produced in the workspace can be published");
        }
        Path real;
        try {
            real = p.toRealPath();
        } catch (NoSuchFileException e) {
            throw new InputException(display + " is a symbolic link to a missing file", e);
        } catch (IOException e) {
            throw new InputException("cannot resolve " + display + ": " + e.getMessage(), e);
        }
        if (!real.startsWith(ws)) {
            throw new InputException(display + " is a symbolic link pointing outside the workspace (to " + real
                    + "); refusing to publish it");
        }
        return real;
    }
}
