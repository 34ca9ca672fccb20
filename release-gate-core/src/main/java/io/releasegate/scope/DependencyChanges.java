package io.releasegate.scope;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.error.ReleaseGateException;
import io.releasegate.gates.Finding;
import io.releasegate.gates.Finding.Severity;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import io.releasegate.policy.Policy;
import io.releasegate.sbom.SbomComponents;
import io.releasegate.sbom.SbomDiff;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.ContentVerifier;
import io.releasegate.version.SemVer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Gate {@code deps}: what the release changes in its dependencies. This release's SBOM is compared with the previous
 * release's — the release of the tag the scope starts from — both read back from the store through the referrers
 * their (CI-signed) {@code sbom-generated} events record and re-checked against the digests those events name, never
 * from a file of the caller's. Every lockfile and dependency manifest the scope changed is listed with the commits
 * that touched it. New dependencies and licenses new to the service are flagged for review (low); a downgrade and a
 * change that brings a license the policy denies (or does not allow) block (high), as does an SBOM whose bytes no
 * longer match their digest. The comparison is recorded as a {@code dependencies-compared} event: the release record
 * and the release notes show it.
 */
public final class DependencyChanges {

    public static final String GATE = "deps";
    public static final String EVENT = EventType.DEPENDENCIES_COMPARED.wire();
    /** SBOMs read back for the comparison; generateSbom writes far smaller ones. */
    private static final int MAX_SBOM_BYTES = 512 << 20;

    /** The previous release the comparison is against, with the digests it was read by. */
    public record Baseline(String version, String digest, String sbomDigest) {
    }

    public record Result(String subject, Optional<String> sbomDigest, Optional<Baseline> baseline, Optional<SbomDiff> diff,
                         List<LockfileChanges.Lockfile> lockfiles, List<Finding> findings, List<String> notes) {
        public Result {
            lockfiles = List.copyOf(lockfiles);
            findings = List.copyOf(findings);
            notes = List.copyOf(notes);
        }

        /** The {@code dependencies-compared} payload. */
        public ObjectNode payload() {
            ObjectNode p = Json.object();
            sbomDigest.ifPresent(d -> p.put("sbomDigest", d));
            baseline.ifPresent(b -> p.putObject("baseline").put("version", b.version()).put("digest", b.digest())
                    .put("sbomDigest", b.sbomDigest()));
            diff.ifPresent(d -> p.set("sbom", d.toJson()));
            ArrayNode l = p.putArray("lockfiles");
            for (LockfileChanges.Lockfile f : lockfiles) {
                ObjectNode n = l.addObject().put("path", f.path()).put("change", f.change());
                ArrayNode cs = n.putArray("commits");
                f.commits().forEach(c -> cs.addObject().put("commit", c.commit()).put("author", c.author()).put("time", c.time())
                        .put("subject", c.subject()));
            }
            ArrayNode ns = p.putArray("notes");
            notes.forEach(ns::add);
            return p;
        }
    }

    private final Ledger ledger;
    private final ArtifactStore store;
    private final Policy policy;

    public DependencyChanges(Ledger ledger, ArtifactStore store, Policy policy) {
        this.ledger = Objects.requireNonNull(ledger);
        this.store = Objects.requireNonNull(store);
        this.policy = Objects.requireNonNull(policy);
    }

    /** Compares the SBOM of {@code name@version} (built as {@code digest}) with the scope's previous release's. */
    public Result compare(String name, String version, Digest digest, List<Event> history, ReleaseRange range,
                          List<LockfileChanges.Lockfile> lockfiles) {
        String subject = name + "@" + version;
        List<Finding> findings = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Optional<Event> current = sbomEvent(history, digest);
        if (current.isEmpty()) {
            findings.add(finding("deps.no-sbom:" + subject, Severity.HIGH, "no SBOM of " + subject + " (" + digest
                    + ") is recorded, so its dependency changes are unknown: generate it (generateSbom) before the gates", subject));
            return new Result(subject, Optional.empty(), Optional.empty(), Optional.empty(), lockfiles, findings, notes);
        }
        Optional<SbomComponents.Document> now = read(current.get(), digest, "the SBOM of " + subject, "deps.sbom-unreadable:"
                + subject, findings);
        String sbomDigest = current.get().text("sbomDigest").orElse("");
        Optional<Baseline> baseline = Optional.empty();
        Optional<SbomComponents.Document> before = Optional.empty();
        Optional<String> previous = range.fromTag().flatMap(DependencyChanges::version);
        if (range.fromTag().isEmpty()) {
            notes.add("no earlier release tag: " + subject + " is the first release, nothing to compare with");
        } else if (previous.isEmpty()) {
            notes.add("the scope starts at " + range.fromTag().get() + ", which names no version");
        } else {
            String prev = name + "@" + previous.get();
            List<Event> prevHistory = ledger.events(prev);
            Optional<Digest> prevDigest = prevHistory.stream().filter(EventType.BUILT::is).findFirst().flatMap(Event::digest);
            Optional<Event> prevSbom = prevDigest.flatMap(d -> sbomEvent(prevHistory, d));
            if (prevSbom.isEmpty()) {
                findings.add(finding("deps.no-baseline:" + prev, Severity.MEDIUM, "the previous release " + prev + " (tag "
                        + range.fromTag().get() + ") has " + (prevDigest.isEmpty() ? "no built event" : "no SBOM recorded")
                        + " in the ledger, so what " + subject + " changes in its dependencies is unknown", prev));
            } else {
                before = read(prevSbom.get(), prevDigest.get(), "the SBOM of the previous release " + prev,
                        "deps.baseline-unreadable:" + prev, findings);
                baseline = Optional.of(new Baseline(previous.get(), prevDigest.get().toString(),
                        prevSbom.get().text("sbomDigest").orElse("")));
            }
        }
        Optional<SbomDiff> diff = Optional.empty();
        if (now.isPresent() && before.isPresent()) {
            SbomDiff d = SbomDiff.of(before.get(), now.get());
            diff = Optional.of(d);
            findings.addAll(findings(d, policy));
        }
        return new Result(subject, Optional.of(sbomDigest), baseline, diff, lockfiles, findings, notes);
    }

    /** The findings of a diff under the policy: review the new, block downgrades and denied licenses. */
    public static List<Finding> findings(SbomDiff d, Policy policy) {
        List<Finding> out = new ArrayList<>();
        for (SbomDiff.Change c : d.changes()) {
            String at = c.key() + "@" + c.toVersion().or(c::fromVersion).orElse("");
            switch (c.kind()) {
                case ADDED -> {
                    if (c.newDependency()) {
                        out.add(finding("deps.new:" + at, Severity.LOW, "new dependency " + c.describe() + ": review it", at));
                    }
                }
                case DOWNGRADED -> out.add(finding("deps.downgrade:" + at, Severity.HIGH, "downgraded " + c.describe()
                        + ": a downgrade may bring back fixed vulnerabilities; cover it with an exception if intended", at));
                default -> {
                    // upgrades, removals and relicensing are listed in the diff; their licenses are checked below
                }
            }
            if (c.kind() != SbomDiff.Kind.REMOVED) {
                c.toLicense().flatMap(l -> policy.gates().licenseProblem(l)).ifPresent(p -> out.add(finding("deps.license:"
                        + p.id() + ":" + at, Severity.HIGH, c.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + c.describe()
                        + ": " + p.why(), at)));
            }
        }
        for (String l : d.newLicenses()) {
            out.add(finding("deps.new-license:" + l, Severity.LOW, "license " + l + " is new to this service: review it", l));
        }
        return out;
    }

    private Optional<SbomComponents.Document> read(Event e, Digest artifact, String what, String id, List<Finding> findings) {
        try {
            byte[] bytes = ContentVerifier.referrerDocument(store, e.text("reference").orElse(""), artifact,
                    Digest.parse(e.text("sbomDigest").orElse("")), MAX_SBOM_BYTES);
            return Optional.of(SbomComponents.read(bytes, what));
        } catch (ReleaseGateException | IllegalArgumentException x) {
            findings.add(finding(id, Severity.HIGH, what + " (event " + e.id() + ") cannot be read back from the store "
                    + store.location() + " as recorded: " + x.getMessage(), artifact.toString()));
            return Optional.empty();
        }
    }

    /** The newest recorded SBOM of {@code digest}, CycloneDX before SPDX. */
    private static Optional<Event> sbomEvent(List<Event> history, Digest digest) {
        List<Event> sboms = history.stream().filter(e -> EventType.SBOM_GENERATED.is(e) && e.digest().equals(Optional.of(digest)))
                .toList();
        return sboms.stream().filter(e -> e.text("format").orElse("cyclonedx").equals("cyclonedx")).reduce((a, b) -> b)
                .or(() -> sboms.stream().reduce((a, b) -> b));
    }

    private static Optional<String> version(String tag) {
        try {
            return Optional.of(SemVer.parse(tag.startsWith("v") ? tag.substring(1) : tag).toString());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Finding finding(String id, Severity severity, String title, String location) {
        return new Finding(id, GATE, severity, title, Optional.of(location), Optional.empty());
    }
}
