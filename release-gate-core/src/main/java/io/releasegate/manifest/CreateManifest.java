package io.releasegate.manifest;

import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.digest.Digest;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.EventType;
import io.releasegate.ledger.Ledger;
import io.releasegate.sbom.GenerateSbom;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.MediaTypes;
import io.releasegate.version.SemVer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code manifest create}: pins each member release to what the ledger says it is (its built digest, commit, tag, the
 * stored SBOMs and provenance of that digest) and builds the {@link ReleaseManifest} once, as any version is built:
 * stored as an OCI artifact {@code NAME:VERSION}, immutable, with a {@code built} event. The same members again are the
 * same manifest (nothing new); other members under a version already built are refused ({@code build.immutable-version}):
 * a changed set is a new version, and every check runs again for it.
 *
 * <p>Refused: a member that was not built ({@value #MEMBER_NOT_BUILT}), a member that is itself a release manifest
 * ({@value #NESTED}); bad input (fewer than two members, one service twice, a malformed NAME@VERSION) is an
 * {@link InputException}. Nothing is written before every member is resolved.
 */
public final class CreateManifest {

    public static final String MEMBER_NOT_BUILT = "manifest.member-not-built";
    public static final String NESTED = "manifest.nested";

    /** What was built: the manifest document and the build that stored it. */
    public record Result(ReleaseManifest manifest, BuildResult build) {
    }

    private final ArtifactStore store;
    private final Ledger ledger;
    private String name;
    private String version;
    private List<String> members = List.of();
    private String actor;
    private Optional<String> commit = Optional.empty();
    private Clock clock = Clock.systemUTC();

    public CreateManifest(ArtifactStore store, Ledger ledger) {
        this.store = Objects.requireNonNull(store);
        this.ledger = Objects.requireNonNull(ledger);
    }

    public CreateManifest name(String value) {
        this.name = value;
        return this;
    }

    public CreateManifest version(String value) {
        this.version = value;
        return this;
    }

    /** The members, {@code NAME@VERSION} each, in the order they are promoted (libraries before their dependants). */
    public CreateManifest members(List<String> value) {
        this.members = List.copyOf(value);
        return this;
    }

    public CreateManifest actor(String value) {
        this.actor = value;
        return this;
    }

    /** The commit of the repository that declares the set (the platform repository's HEAD), recorded with it. */
    public CreateManifest commit(Optional<String> value) {
        this.commit = Objects.requireNonNull(value);
        return this;
    }

    public CreateManifest clock(Clock value) {
        this.clock = Objects.requireNonNull(value);
        return this;
    }

    public Result call() {
        if (name == null || name.isBlank() || version == null || version.isBlank()) {
            throw new InputException("a release manifest needs a name and a version (--name platform --version 2026.12.0)");
        }
        String v = SemVer.parse(version).toString();
        if (members.size() < 2) {
            throw new InputException("a release manifest promotes several services as one set: give at least two members "
                    + "(NAME@VERSION each); promote a single release directly");
        }
        Set<String> seen = new HashSet<>();
        List<ReleaseManifest.Member> resolved = new ArrayList<>();
        List<Refusal> refusals = new ArrayList<>();
        for (String m : members) {
            int at = m.lastIndexOf('@');
            if (at <= 0 || at == m.length() - 1) {
                throw new InputException("member '" + m + "' is not NAME@VERSION");
            }
            String service = m.substring(0, at);
            String memberVersion = SemVer.parse(m.substring(at + 1)).toString();
            if (service.equals(name)) {
                throw new InputException("member " + m + " has the manifest's own name " + name);
            }
            if (!seen.add(service)) {
                throw new InputException("service " + service + " is listed twice: a set pins one version of each service");
            }
            resolve(service, memberVersion, refusals).ifPresent(resolved::add);
        }
        if (!refusals.isEmpty()) {
            throw new RefusedException(refusals);
        }
        ReleaseManifest manifest = new ReleaseManifest(name, v, resolved);
        Path dir;
        try {
            dir = Files.createTempDirectory("release-manifest-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.write(dir.resolve(ReleaseManifest.FILE), manifest.bytes());
            BuildResult b = new BuildOnce(store, ledger).name(name).version(v).workspace(dir)
                    .outputs(List.of(ReleaseManifest.FILE)).artifactType(MediaTypes.RELEASE_MANIFEST).commit(commit)
                    .describes(manifest.describes()).actor(actor).clock(clock).call();
            return new Result(manifest, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(dir.resolve(ReleaseManifest.FILE));
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // a temporary directory; the OS cleans it
            }
        }
    }

    private Optional<ReleaseManifest.Member> resolve(String service, String memberVersion, List<Refusal> refusals) {
        String subject = service + "@" + memberVersion;
        List<Event> events = ledger.events(subject);
        Optional<Event> built = events.stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst();
        if (built.isEmpty()) {
            refusals.add(new Refusal(MEMBER_NOT_BUILT, "the ledger has no 'built' event for " + subject,
                    "build " + subject + " (build-once) before pinning it in a set"));
            return Optional.empty();
        }
        if (ReleaseManifest.isManifest(built.get())) {
            refusals.add(new Refusal(NESTED, subject + " is itself a release manifest",
                    "list its members instead: a set's members are services' releases"));
            return Optional.empty();
        }
        Digest digest = built.get().digest().orElseThrow();
        Optional<String> tag = events.stream().filter(e -> EventType.TAGGED.is(e) && e.digest().equals(Optional.of(digest)))
                .reduce((a, b) -> b).flatMap(e -> e.text("tag"));
        List<ReleaseManifest.Reference> sboms = events.stream()
                .filter(e -> e.type().equals(GenerateSbom.EVENT_TYPE) && e.digest().equals(Optional.of(digest))
                        && e.text("reference").isPresent())
                .map(e -> new ReleaseManifest.Reference(e.text("format").orElse("sbom"), e.text("reference").orElseThrow(),
                        e.text("sbomDigest").flatMap(CreateManifest::digest)))
                .toList();
        List<ReleaseManifest.Reference> provenance = events.stream()
                .filter(e -> EventType.PROVENANCE_GENERATED.is(e) && e.digest().equals(Optional.of(digest))
                        && e.text("reference").isPresent())
                .map(e -> new ReleaseManifest.Reference("slsa-provenance", e.text("reference").orElseThrow(), Optional.empty()))
                .toList();
        return Optional.of(new ReleaseManifest.Member(service, memberVersion, digest, built.get().text("commit"), tag, sboms,
                provenance));
    }

    private static Optional<Digest> digest(String value) {
        try {
            return Optional.of(Digest.parse(value));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
