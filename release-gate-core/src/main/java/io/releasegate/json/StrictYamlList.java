package io.releasegate.json;

import io.releasegate.error.InputException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A reviewed list file in YAML (the secrets allowlist, the release-branch fix justifications): a mapping with one key
 * holding a list of mappings, each with only the keys given. Read with SnakeYAML's safe constructor, bounded (aliases,
 * size, at most 10,000 entries); anything else is an {@link InputException} naming the file and the entry.
 */
public final class StrictYamlList {

    /** One entry and where it is, for messages ({@code WHAT FILE, entry N}). */
    public record Item(int index, String where, Map<?, ?> fields) {

        /** A field that must be there and not blank; {@code expected} says what every entry names. */
        public String required(String key, String expected) {
            Object v = fields.get(key);
            String s = v == null ? "" : String.valueOf(v).trim();
            if (s.isEmpty()) {
                throw new InputException(where + ": missing " + key + " (" + expected + ")");
            }
            return s;
        }
    }

    private StrictYamlList() {
    }

    /** The entries of {@code text}, the file {@code file} of kind {@code what} (e.g. "secrets allowlist"), under {@code key}. */
    public static List<Item> read(String what, String file, String text, String key, Set<String> keys) {
        Object doc = document(what, file, text);
        if (doc == null) {
            return List.of();
        }
        if (!(doc instanceof Map<?, ?> m) || !m.keySet().equals(Set.of(key)) || !(m.get(key) instanceof List<?> list)) {
            throw new InputException(what + " " + file + " must be a mapping with one key, " + key + ": a list");
        }
        if (list.size() > 10_000) {
            throw new InputException(what + " " + file + " has more than 10000 entries");
        }
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = what + " " + file + ", entry " + (i + 1);
            if (!(list.get(i) instanceof Map<?, ?> e)) {
                throw new InputException(where + ": must be a mapping of " + new TreeSet<>(keys));
            }
            for (Object k : e.keySet()) {
                if (!keys.contains(String.valueOf(k))) {
                    throw new InputException(where + ": unknown key '" + k + "'; valid keys: " + new TreeSet<>(keys));
                }
            }
            out.add(new Item(i + 1, where, e));
        }
        return out;
    }

    /**
     * The YAML document {@code text} (the file {@code file} of kind {@code what}) as maps, lists and scalars, read with
     * SnakeYAML's safe constructor and the same bounds (20 aliases, no recursive keys, 1 MiB); null when empty.
     */
    public static Object document(String what, String file, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(1 << 20);
        try {
            return new Yaml(new SafeConstructor(options)).load(new StringReader(text));
        } catch (RuntimeException e) {
            throw new InputException(what + " " + file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
