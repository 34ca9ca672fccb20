package io.releasegate.scope;

import io.releasegate.error.InputException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jgit.diff.RawText;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The feature-flag registry ({@code scope.flagRegistry}, default {@code flags/registry.yaml}; schema
 * {@code io/releasegate/schemas/flag-registry-v1.schema.json}): every flag with its owner, escalation contact, created
 * date, state and removal date, and the recorded deviations that moved the removal date.
 * <pre>
 * flags:
 *   - name: new-checkout
 *     owner: team-payments
 *     escalation: oncall-payments@example.com
 *     created: 2026-10-01
 *     state: ramping                 # default-off | ramping | full | removed
 *     removal: 2027-01-15            # required unless state: removed
 *     deviations:
 *       - rationale: waiting for the Q1 migration
 *         newRemoval: 2027-03-01
 *         approvedBy: alice@example.com
 * </pre>
 * Strict: an unknown key, a missing name, escalation, created or state (or removal when not removed), a malformed date,
 * an unknown state, a duplicate name, a deviation without rationale or newRemoval is an input error naming the file and
 * line. A missing or blank owner is <em>not</em> a parse error: it is the gate's finding {@code flags.no-owner}. The YAML
 * is read with the limits of the policy loader (aliases, size, number of values), the bytes as strict UTF-8.
 */
public record FlagRegistry(String file, List<Flag> flags) {

    /** Larger than any registry (a few thousand flags). */
    public static final int MAX_BYTES = 1 << 20;
    static final int MAX_ALIASES = 20;
    static final int MAX_VALUES = 100_000;
    static final Set<String> KEYS = Set.of("name", "owner", "escalation", "created", "state", "removal", "deviations");
    static final Set<String> DEVIATION_KEYS = Set.of("rationale", "newRemoval", "approvedBy");

    public enum State {
        DEFAULT_OFF, RAMPING, FULL, REMOVED;

        public String wire() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Optional<State> parse(String s) {
            for (State st : values()) {
                if (st.wire().equals(s)) {
                    return Optional.of(st);
                }
            }
            return Optional.empty();
        }
    }

    /** A recorded deviation: why the flag stays past its removal date, until when, and who approved it. */
    public record Deviation(String rationale, LocalDate newRemoval, Optional<String> approvedBy) {
    }

    /** One flag; {@code line} is where its entry starts in the file. */
    public record Flag(String name, Optional<String> owner, String escalation, LocalDate created, State state,
                       Optional<LocalDate> removal, List<Deviation> deviations, int line) {
        public Flag {
            deviations = List.copyOf(deviations);
        }

        /** The removal date that holds: the last recorded deviation's new date, else the registered one. */
        public Optional<LocalDate> effectiveRemoval() {
            return deviations.isEmpty() ? removal : Optional.of(deviations.get(deviations.size() - 1).newRemoval());
        }

        /** Past its (latest deviation's) removal date on {@code today} and not removed. */
        public boolean overdue(LocalDate today) {
            return state != State.REMOVED && effectiveRemoval().map(today::isAfter).orElse(false);
        }

        /** The fields as the registry writes them, for comparing two versions of a flag. */
        Map<String, String> fields() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("owner", owner.orElse(""));
            m.put("escalation", escalation);
            m.put("created", created.toString());
            m.put("state", state.wire());
            m.put("removal", removal.map(LocalDate::toString).orElse(""));
            m.put("deviations", deviations.isEmpty() ? "" : deviations.size() + " (last: " + deviations.get(deviations.size() - 1)
                    .newRemoval() + ")");
            return m;
        }
    }

    public FlagRegistry {
        flags = List.copyOf(flags);
    }

    public static FlagRegistry none(String file) {
        return new FlagRegistry(file, List.of());
    }

    public Optional<Flag> flag(String name) {
        return flags.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** The bytes of a registry file: not binary, at most {@link #MAX_BYTES}, strict UTF-8; then {@link #parse}. */
    public static FlagRegistry parse(String file, byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new InputException("flag registry " + file + " is larger than " + MAX_BYTES + " bytes");
        }
        if (RawText.isBinary(bytes)) {
            throw new InputException("flag registry " + file + " is a binary file, not YAML");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InputException("flag registry " + file + " is not valid UTF-8: " + e.getMessage(), e);
        }
        return parse(file, text);
    }

    /** Strict: see the class comment. */
    public static FlagRegistry parse(String file, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_BYTES);
        Node root;
        try {
            root = new Yaml(new SafeConstructor(options)).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            throw new InputException(file + ":" + (e.getProblemMark().getLine() + 1) + ": flag registry is not valid YAML: "
                    + e.getProblem(), e);
        } catch (YAMLException e) {
            throw new InputException("flag registry " + file + " cannot be read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // SnakeYAML reports some malformed documents (a tag with spaces: "!%20") with other exceptions
            throw new InputException("flag registry " + file + " is not valid YAML: " + e.getMessage(), e);
        }
        if (root == null) {
            return none(file);
        }
        int[] count = {0};
        Map<String, Node> top = mapping(root, file, "the registry", Set.of("flags"), count);
        Node list = top.get("flags");
        if (list == null || isNull(list)) {
            return none(file);
        }
        if (!(list instanceof SequenceNode seq)) {
            throw new InputException(at(file, list) + ": flags must be a list of flags");
        }
        List<Flag> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Node n : seq.getValue()) {
            Map<String, Node> m = mapping(n, file, peekName(n).map(x -> "flag '" + x + "'").orElse("a flag"), KEYS, count);
            String name = required(m, "name", n, file, "flag");
            String where = "flag '" + name + "'";
            if (!names.add(name)) {
                throw new InputException(at(file, n) + ": flag '" + name + "' is registered twice");
            }
            Optional<String> owner = Optional.ofNullable(m.get("owner")).map(o -> scalar(o, file, where + ": owner").trim())
                    .filter(o -> !o.isEmpty());
            String escalation = required(m, "escalation", n, file, where);
            LocalDate created = date(m.get("created"), required(m, "created", n, file, where), file, where + ": created");
            String stateText = required(m, "state", n, file, where);
            State state = State.parse(stateText).orElseThrow(() -> new InputException(at(file, m.get("state")) + ": " + where
                    + ": state '" + stateText + "' is not one of default-off, ramping, full, removed"));
            Optional<LocalDate> removal;
            if (state == State.REMOVED && !m.containsKey("removal")) {
                removal = Optional.empty();
            } else {
                removal = Optional.of(date(m.get("removal"), required(m, "removal", n, file, where + " (state " + stateText
                        + ": a flag not removed needs its removal date)"), file, where + ": removal"));
            }
            List<Deviation> deviations = new ArrayList<>();
            Node dv = m.get("deviations");
            if (dv != null && !isNull(dv)) {
                if (!(dv instanceof SequenceNode ds)) {
                    throw new InputException(at(file, dv) + ": " + where + ": deviations must be a list");
                }
                int i = 0;
                for (Node d : ds.getValue()) {
                    i++;
                    String dwhere = where + ", deviation " + i;
                    Map<String, Node> dm = mapping(d, file, dwhere, DEVIATION_KEYS, count);
                    String rationale = required(dm, "rationale", d, file, dwhere + " (a deviation records why and the new date)");
                    LocalDate newRemoval = date(dm.get("newRemoval"), required(dm, "newRemoval", d, file, dwhere
                            + " (a deviation records why and the new date)"), file, dwhere + ": newRemoval");
                    Optional<String> approvedBy = Optional.ofNullable(dm.get("approvedBy")).map(a -> scalar(a, file, dwhere
                            + ": approvedBy").trim()).filter(a -> !a.isEmpty());
                    deviations.add(new Deviation(rationale, newRemoval, approvedBy));
                }
            }
            out.add(new Flag(name, owner, escalation, created, state, removal, deviations, n.getStartMark().getLine() + 1));
        }
        return new FlagRegistry(file, out);
    }

    /** The name of a flag's entry, for the messages about its other keys. */
    private static Optional<String> peekName(Node n) {
        if (n instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("name") && t.getValueNode() instanceof ScalarNode v
                        && !isNull(v) && !v.getValue().isBlank()) {
                    return Optional.of(v.getValue().trim());
                }
            }
        }
        return Optional.empty();
    }

    private static String at(String file, Node n) {
        return file + ":" + (n.getStartMark().getLine() + 1);
    }

    private static Map<String, Node> mapping(Node n, String file, String what, Set<String> keys, int[] count) {
        if (!(n instanceof MappingNode m)) {
            throw new InputException(at(file, n) + ": " + what + " must be a mapping of " + new TreeSet<>(keys));
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (++count[0] > MAX_VALUES) {
                throw new InputException("flag registry " + file + " has more than " + MAX_VALUES + " values");
            }
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw new InputException(at(file, t.getKeyNode()) + ": keys must be plain names");
            }
            if (!keys.contains(k.getValue())) {
                throw new InputException(at(file, k) + ": " + what + ": unknown key '" + k.getValue() + "'; valid keys: "
                        + new TreeSet<>(keys));
            }
            if (out.put(k.getValue(), t.getValueNode()) != null) {
                throw new InputException(at(file, k) + ": " + what + ": duplicate key '" + k.getValue() + "'");
            }
        }
        return out;
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode s && (s.getTag().equals(Tag.NULL) || s.getValue().isEmpty());
    }

    private static String scalar(Node n, String file, String what) {
        if (!(n instanceof ScalarNode s)) {
            throw new InputException(at(file, n) + ": " + what + " must be a single value");
        }
        return isNull(s) ? "" : s.getValue();
    }

    private static String required(Map<String, Node> m, String key, Node parent, String file, String where) {
        Node v = m.get(key);
        String s = v == null ? "" : scalar(v, file, where + ": " + key).trim();
        if (s.isEmpty()) {
            throw new InputException(at(file, v == null ? parent : v) + ": " + where + ": missing " + key);
        }
        return s;
    }

    private static LocalDate date(Node n, String text, String file, String what) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeException e) {
            throw new InputException(at(file, n) + ": " + what + ": '" + text + "' is not a date (YYYY-MM-DD)");
        }
    }
}
