package io.releasegate.sbom;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What changed between two SBOMs: components added, removed, upgraded, downgraded, or relicensed at the same
 * version, and the license ids that appear for the first time. A component is one dependency across versions by
 * {@link SbomComponents.Component#key()}; when a key has several versions on a side, the versions that differ are
 * paired oldest to oldest, and the rest are added or removed versions of a known dependency.
 */
public record SbomDiff(String from, String to, List<Change> changes, List<String> newLicenses, int unchanged) {

    public enum Kind { ADDED, REMOVED, UPGRADED, DOWNGRADED, RELICENSED }

    /**
     * One change. {@code newDependency} is true for an added component whose key the old SBOM did not have at all.
     * {@code fromVersion}/{@code fromLicense} are empty for an added one, {@code toVersion}/{@code toLicense} for a
     * removed one.
     */
    public record Change(Kind kind, String key, String name, Optional<String> fromVersion, Optional<String> toVersion,
                         Optional<String> fromLicense, Optional<String> toLicense, boolean newDependency) {

        /** {@code name 1.0 -> 1.1}, for messages and notes. */
        public String describe() {
            String license = toLicense.or(() -> fromLicense).orElse("NOASSERTION");
            return switch (kind) {
                case ADDED -> name + " " + toVersion.orElse("") + " (" + license + ")" + (newDependency ? "" : ", another version");
                case REMOVED -> name + " " + fromVersion.orElse("");
                case UPGRADED, DOWNGRADED -> name + " " + fromVersion.orElse("") + " -> " + toVersion.orElse("")
                        + (fromLicense.equals(toLicense) ? "" : " (license " + fromLicense.orElse("?") + " -> " + toLicense.orElse("?") + ")");
                case RELICENSED -> name + " " + toVersion.orElse("") + ": license " + fromLicense.orElse("?") + " -> " + toLicense.orElse("?");
            };
        }
    }

    public SbomDiff {
        changes = List.copyOf(changes);
        newLicenses = List.copyOf(newLicenses);
    }

    public static SbomDiff of(SbomComponents.Document before, SbomComponents.Document after) {
        Map<String, Map<String, SbomComponents.Component>> old = byKey(before.components());
        Map<String, Map<String, SbomComponents.Component>> now = byKey(after.components());
        List<Change> changes = new ArrayList<>();
        int unchanged = 0;
        Set<String> keys = new TreeSet<>(old.keySet());
        keys.addAll(now.keySet());
        for (String key : keys) {
            Map<String, SbomComponents.Component> o = old.getOrDefault(key, Map.of());
            Map<String, SbomComponents.Component> n = now.getOrDefault(key, Map.of());
            List<String> removed = new ArrayList<>();
            List<String> added = new ArrayList<>();
            for (String v : o.keySet()) {
                if (n.containsKey(v)) {
                    unchanged++;
                    String was = o.get(v).license();
                    String is = n.get(v).license();
                    if (!was.equals(is)) {
                        changes.add(new Change(Kind.RELICENSED, key, n.get(v).name(), Optional.of(v), Optional.of(v),
                                Optional.of(was), Optional.of(is), false));
                    }
                } else {
                    removed.add(v);
                }
            }
            n.keySet().stream().filter(v -> !o.containsKey(v)).forEach(added::add);
            removed.sort(Versions.ORDER);
            added.sort(Versions.ORDER);
            int paired = Math.min(removed.size(), added.size());
            for (int i = 0; i < paired; i++) {
                SbomComponents.Component a = o.get(removed.get(i));
                SbomComponents.Component b = n.get(added.get(i));
                Kind kind = Versions.ORDER.compare(a.version(), b.version()) > 0 ? Kind.DOWNGRADED : Kind.UPGRADED;
                changes.add(new Change(kind, key, b.name(), Optional.of(a.version()), Optional.of(b.version()),
                        Optional.of(a.license()), Optional.of(b.license()), false));
            }
            for (String v : added.subList(paired, added.size())) {
                SbomComponents.Component b = n.get(v);
                changes.add(new Change(Kind.ADDED, key, b.name(), Optional.empty(), Optional.of(v), Optional.empty(),
                        Optional.of(b.license()), o.isEmpty()));
            }
            for (String v : removed.subList(paired, removed.size())) {
                SbomComponents.Component a = o.get(v);
                changes.add(new Change(Kind.REMOVED, key, a.name(), Optional.of(v), Optional.empty(), Optional.of(a.license()),
                        Optional.empty(), false));
            }
        }
        Set<String> oldLicenses = licenses(before.components());
        List<String> fresh = licenses(after.components()).stream().filter(l -> !oldLicenses.contains(l)).toList();
        return new SbomDiff(before.label(), after.label(), changes, fresh, unchanged);
    }

    public List<Change> of(Kind kind) {
        return changes.stream().filter(c -> c.kind() == kind).toList();
    }

    public boolean empty() {
        return changes.isEmpty() && newLicenses.isEmpty();
    }

    /** The license ids of an SPDX expression ({@code MIT OR Apache-2.0} -> both; {@code NOASSERTION} is none). */
    public static List<String> licenseIds(String expression) {
        List<String> out = new ArrayList<>();
        for (String raw : expression.split("\\s+(?:AND|OR|WITH)\\s+|[()]")) {
            String id = raw.trim();
            if (!id.isEmpty() && !id.equals("NOASSERTION") && !id.equals("NONE")) {
                out.add(id);
            }
        }
        return out;
    }

    private static Set<String> licenses(List<SbomComponents.Component> components) {
        Set<String> out = new TreeSet<>();
        components.forEach(c -> out.addAll(licenseIds(c.license())));
        return out;
    }

    private static Map<String, Map<String, SbomComponents.Component>> byKey(List<SbomComponents.Component> components) {
        Map<String, Map<String, SbomComponents.Component>> out = new TreeMap<>();
        for (SbomComponents.Component c : components) {
            out.computeIfAbsent(c.key(), k -> new LinkedHashMap<>()).putIfAbsent(c.version(), c);
        }
        return out;
    }

    /** The JSON form (the {@code sbom diff --json} document, and the release record's {@code dependencyChanges.sbom}). */
    public ObjectNode toJson() {
        ObjectNode doc = Json.object().put("from", from).put("to", to).put("unchanged", unchanged);
        for (Kind kind : Kind.values()) {
            ArrayNode a = doc.putArray(kind.name().toLowerCase(java.util.Locale.ROOT));
            for (Change c : of(kind)) {
                ObjectNode n = a.addObject().put("name", c.name()).put("key", c.key());
                c.fromVersion().ifPresent(v -> n.put("from", v));
                c.toVersion().ifPresent(v -> n.put("to", v));
                c.fromLicense().ifPresent(v -> n.put("fromLicense", v));
                c.toLicense().ifPresent(v -> n.put("license", v));
                if (kind == Kind.ADDED) {
                    n.put("newDependency", c.newDependency());
                }
            }
        }
        ArrayNode l = doc.putArray("newLicenses");
        newLicenses.forEach(l::add);
        return doc;
    }

    /** One Markdown line per change, for the release notes. */
    public List<String> markdown() {
        List<String> out = new ArrayList<>();
        for (Change c : changes) {
            out.add("- " + c.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + c.describe());
        }
        newLicenses.forEach(l -> out.add("- new license " + l));
        return out;
    }
}
