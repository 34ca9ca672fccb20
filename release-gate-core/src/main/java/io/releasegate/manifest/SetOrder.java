package io.releasegate.manifest;

import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.sbom.SbomComponents;
import io.releasegate.sbom.SbomFormat;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.ContentVerifier;
import io.releasegate.version.SemVer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The breaking-change order of a set, from its members' SBOMs: a member whose CycloneDX SBOM lists another member
 * (by component name, or the name in its package URL) depends on it, and the library's release must come before its
 * dependants' in the manifest ({@value #ORDER}, naming an order that works); a dependant built against another major
 * version of the library than the set pins is refused too ({@value #MAJOR}). The SBOMs are read back from the store and
 * checked against the digests the manifest records; one that cannot be is a refusal, never skipped.
 */
public final class SetOrder {

    public static final String ORDER = "manifest.order";
    public static final String MAJOR = "manifest.dependency-major";
    private static final int MAX_SBOM_BYTES = 512 << 20;

    private SetOrder() {
    }

    /** Every refusal of the set's order; empty when a library never follows its dependants. */
    public static List<Refusal> check(ArtifactStore store, ReleaseManifest manifest) {
        List<ReleaseManifest.Member> members = manifest.members();
        List<Refusal> refusals = new ArrayList<>();
        record Edge(int dependant, int library, String builtAgainst) {
        }
        List<Edge> edges = new ArrayList<>();
        Map<String, Set<String>> dependsOn = new LinkedHashMap<>();
        members.forEach(m -> dependsOn.put(m.name(), new LinkedHashSet<>()));
        for (int j = 0; j < members.size(); j++) {
            for (SbomComponents.Component c : components(store, members.get(j), refusals)) {
                for (int i = 0; i < members.size(); i++) {
                    if (i != j && names(c, members.get(i).name())) {
                        edges.add(new Edge(j, i, c.version()));
                        dependsOn.get(members.get(j).name()).add(members.get(i).name());
                    }
                }
            }
        }
        for (Edge e : edges) {
            ReleaseManifest.Member dependant = members.get(e.dependant());
            ReleaseManifest.Member library = members.get(e.library());
            if (e.library() > e.dependant()) {
                refusals.add(new Refusal(ORDER, dependant.subject() + " lists " + library.name() + " " + e.builtAgainst()
                        + " in its SBOM, so " + library.subject() + " must be released before it, and the set has it after",
                        "list the members in this order: " + String.join(", ", order(members, dependsOn))));
            }
            Optional<java.math.BigInteger> builtAgainst = major(e.builtAgainst());
            Optional<java.math.BigInteger> pinned = major(library.version());
            if (builtAgainst.isPresent() && pinned.isPresent() && !builtAgainst.equals(pinned)) {
                refusals.add(new Refusal(MAJOR, dependant.subject() + " was built against " + library.name() + " "
                        + e.builtAgainst() + " and the set pins " + library.subject() + ", another major version",
                        "release " + dependant.name() + " built against " + library.subject() + ", or pin a "
                                + library.name() + " " + builtAgainst.get() + ".x in the set"));
            }
        }
        return refusals;
    }

    private static List<SbomComponents.Component> components(ArtifactStore store, ReleaseManifest.Member m, List<Refusal> refusals) {
        List<SbomComponents.Component> all = new ArrayList<>();
        for (ReleaseManifest.Reference r : m.sboms()) {
            if (!r.kind().equals(SbomFormat.CYCLONEDX.id())) {
                continue;
            }
            if (r.document().isEmpty()) {
                refusals.add(new Refusal(ContentVerifier.REFERRER_DOCUMENT, m.subject() + ": its SBOM " + r.reference()
                        + " has no recorded digest", "generate the SBOM again and create a new manifest version"));
                continue;
            }
            try {
                byte[] bytes = ContentVerifier.referrerDocument(store, r.reference(), m.digest(), r.document().get(), MAX_SBOM_BYTES);
                all.addAll(SbomComponents.read(bytes, m.subject()).components());
            } catch (RefusedException e) {
                e.refusals().forEach(x -> refusals.add(new Refusal(x.rule(), m.subject() + ": " + x.evidence(), x.remedy())));
            } catch (io.releasegate.error.InputException e) {
                refusals.add(new Refusal(ContentVerifier.REFERRER_DOCUMENT, m.subject() + ": its SBOM " + r.reference()
                        + " cannot be read: " + e.getMessage(), "generate the SBOM again and create a new manifest version"));
            }
        }
        return all;
    }

    /** Whether component {@code c} is the service {@code service}: its name, or the name in its package URL. */
    static boolean names(SbomComponents.Component c, String service) {
        if (c.name().equals(service)) {
            return true;
        }
        return c.purl().map(p -> {
            String path = p.replaceFirst("[?#].*$", "");
            int at = path.lastIndexOf('@');
            String head = at > 0 ? path.substring(0, at) : path;
            return head.substring(head.lastIndexOf('/') + 1).equals(service);
        }).orElse(false);
    }

    private static Optional<java.math.BigInteger> major(String version) {
        try {
            return Optional.of(SemVer.parse(version).major());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** An order in which every library comes before its dependants (the manifest's order where it allows). */
    static List<String> order(List<ReleaseManifest.Member> members, Map<String, Set<String>> dependsOn) {
        List<String> out = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(members.stream().map(ReleaseManifest.Member::name).toList());
        int stuck = 0;
        while (!todo.isEmpty() && stuck <= todo.size()) {
            String n = todo.removeFirst();
            if (placed.containsAll(dependsOn.getOrDefault(n, Set.of()))) {
                out.add(n);
                placed.add(n);
                stuck = 0;
            } else {
                todo.addLast(n);
                stuck++;
            }
        }
        out.addAll(todo); // a cycle: no order works, listed as given
        return out;
    }
}
