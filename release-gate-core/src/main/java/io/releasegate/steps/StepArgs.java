package io.releasegate.steps;

import io.releasegate.error.InputException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A pipeline's argument map as one step reads it: the keys checked against the step's valid ones, then each value read
 * as text, a list of paths or a map. What every {@code …Args.of(Map)} parser is made of; the messages are the ones the
 * pipeline and its tests know.
 */
final class StepArgs {

    private final Map<String, ?> args;

    private StepArgs(Map<String, ?> args) {
        this.args = args;
    }

    /** The arguments of {@code step}: an unknown one fails at once, listing the valid ones. */
    static StepArgs of(String step, Map<String, ?> args, Set<String> valid) {
        Set<String> unknown = new TreeSet<>(args.keySet());
        unknown.removeAll(valid);
        if (!unknown.isEmpty()) {
            throw new InputException(step + ": unknown argument(s) " + unknown + "; valid: " + new TreeSet<>(valid));
        }
        return new StepArgs(args);
    }

    /** The text of {@code key}; missing: an input error naming it. */
    String required(String key) {
        Object v = args.get(key);
        if (v == null) {
            throw new InputException("argument '" + key + "' is required");
        }
        return v.toString();
    }

    /** The text of {@code key}, or {@code fallback} when it is not given. */
    String text(String key, String fallback) {
        Object v = args.get(key);
        return v == null ? fallback : v.toString();
    }

    /** The text of {@code key} when given. */
    Optional<String> optional(String key) {
        return Optional.ofNullable(args.get(key)).map(Object::toString);
    }

    /** The text of {@code key} when given and not blank. */
    Optional<String> nonBlank(String key) {
        return optional(key).filter(s -> !s.isBlank());
    }

    /** {@code key}'s value as the pipeline passed it, when given. */
    Optional<Object> value(String key) {
        return Optional.ofNullable(args.get(key));
    }

    /** The paths or globs of {@code key} ({@link #paths(Object)}); none when it is not given. */
    List<String> paths(String key) {
        Object v = args.get(key);
        return v == null ? List.of() : paths(v);
    }

    /** {@code key}'s map as text to text, in its order; none when it is not given or not a map. */
    Map<String, String> map(String key) {
        Map<String, String> out = new LinkedHashMap<>();
        if (args.get(key) instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        }
        return Collections.unmodifiableMap(out);
    }

    /** A list of paths or globs, or one string of them separated by commas. */
    static List<String> paths(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(Object::toString).toList();
        }
        List<String> out = new ArrayList<>();
        for (String part : value.toString().split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return List.copyOf(out);
    }

    /** An ordered, unmodifiable copy of {@code map}. */
    static <K, V> Map<K, V> copy(Map<K, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
