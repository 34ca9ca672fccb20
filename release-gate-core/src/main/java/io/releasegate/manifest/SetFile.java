package io.releasegate.manifest;

import io.releasegate.error.InputException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The set a platform repository releases, as it commits it ({@value #DEFAULT}, reviewed like code): the set's version
 * and its members, {@code NAME@VERSION} each, in promotion order (a library before the services built against it).
 * <pre>
 * version: 2026.12.0
 * members:
 *   - payments@1.4.0
 *   - notifier@2.1.3
 * </pre>
 * Read with SnakeYAML's safe constructor, bounded; an unknown key, a missing version or member list, or a member that is
 * not text is an {@link InputException} naming the file. What the members must be (built, not nested, two at least,
 * one version of each service) is {@link CreateManifest}'s to decide.
 */
public record SetFile(String file, String version, List<String> members) {

    /** Where the golden pipeline's manifest mode reads the set by default. */
    public static final String DEFAULT = "platform.yaml";

    private static final Set<String> KEYS = Set.of("version", "members");

    public SetFile {
        members = List.copyOf(members);
    }

    /** The set file {@code file} (relative to {@code dir}). */
    public static SetFile read(Path dir, String file) {
        String text;
        try {
            text = Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InputException("the set file " + file + " is not in the workspace: commit it (version: and members:, "
                    + "NAME@VERSION each) or name another file");
        } catch (IOException e) {
            throw new InputException("the set file " + file + " cannot be read: " + e.getMessage(), e);
        }
        return parse(file, text);
    }

    /** The set file {@code file}'s {@code text}. */
    public static SetFile parse(String file, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(1 << 20);
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(options)).load(new StringReader(text));
        } catch (RuntimeException e) {
            throw new InputException("the set file " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (!(doc instanceof Map<?, ?> m)) {
            throw new InputException("the set file " + file + " must be a mapping of " + new TreeSet<>(KEYS));
        }
        for (Object k : m.keySet()) {
            if (!KEYS.contains(String.valueOf(k))) {
                throw new InputException("the set file " + file + ": unknown key '" + k + "'; valid keys: " + new TreeSet<>(KEYS));
            }
        }
        Object version = m.get("version");
        if (version == null || String.valueOf(version).isBlank()) {
            throw new InputException("the set file " + file + ": missing version (the set's version, e.g. 2026.12.0; a changed "
                    + "member list is a new version)");
        }
        if (!(m.get("members") instanceof List<?> list) || list.isEmpty()) {
            throw new InputException("the set file " + file + ": members must be a list of NAME@VERSION, in promotion order");
        }
        if (list.size() > 1000) {
            throw new InputException("the set file " + file + " has more than 1000 members");
        }
        List<String> members = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s) || s.isBlank()) {
                throw new InputException("the set file " + file + ", member " + (i + 1) + ": must be NAME@VERSION, e.g. payments@1.4.0");
            }
            members.add(s.trim());
        }
        return new SetFile(file, String.valueOf(version).trim(), members);
    }
}
