package io.releasegate.build;

import io.releasegate.ledger.EventType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.digest.Subject;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.progress.Progress;
import io.releasegate.store.ArtifactManifest;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.MediaTypes;
import io.releasegate.store.OciNames;
import io.releasegate.store.StoredManifest;
import io.releasegate.store.TagResult;
import io.releasegate.version.SemVer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * The buildOnce step: digest what the build produced, publish it to the store as one OCI artifact
 * named {@code name:version}, and record a {@code built} event. A version names one digest forever:
 * publishing it again with the same content is a no-op, with other content a refusal.
 *
 * <pre>{@code
 * BuildResult r = new BuildOnce(store, ledger)
 *         .name("payments").version("1.4.0")
 *         .workspace(dir).outputs(List.of("target/*.jar"))
 *         .actor("jenkins").call();
 * }</pre>
 *
 * Order of work, so that a failure never leaves a half-published version: validate and digest every
 * input; check the tag and the ledger; upload blobs; store the manifest and create the tag (last);
 * record the event. A failure before the tag leaves only unreferenced blobs; a failure after it is
 * repaired by running the same build again (the event is recorded then).
 */
public final class BuildOnce {

    /** Ledger event type recorded by this command. */
    public static final String EVENT_TYPE = EventType.BUILT.wire();

    private final ArtifactStore store;
    private final Ledger ledger;
    private String name;
    private String version;
    private Path workspace = Path.of("");
    private List<String> outputs = List.of();
    private List<String> expectedTargets = List.of();
    private String actor;
    private Clock clock = Clock.systemUTC();
    private Progress progress = Progress.NONE;
    private Digester digester = Digester.defaults();
    private String artifactType = MediaTypes.RELEASE_GATE_ARTIFACT;
    private Optional<String> commit = Optional.empty();
    private Optional<ObjectNode> describes = Optional.empty();

    public BuildOnce(ArtifactStore store, Ledger ledger) {
        this.store = Objects.requireNonNull(store, "store");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
    }

    public BuildOnce name(String value) {
        this.name = value;
        return this;
    }

    public BuildOnce version(String value) {
        this.version = value;
        return this;
    }

    public BuildOnce workspace(Path value) {
        this.workspace = Objects.requireNonNull(value, "workspace");
        return this;
    }

    /** Files, directories, globs (relative to the workspace) or one OCI image layout directory. */
    public BuildOnce outputs(List<String> value) {
        this.outputs = List.copyOf(value);
        return this;
    }

    /** The targets the release must ship (subject names or globs, see {@link Targets}); recorded, not enforced here. */
    public BuildOnce expectTargets(List<String> value) {
        this.expectedTargets = Targets.validate(value);
        return this;
    }

    /** Who runs the build (the user who started it, or the CI identity). */
    public BuildOnce actor(String value) {
        this.actor = value;
        return this;
    }

    public BuildOnce clock(Clock value) {
        this.clock = Objects.requireNonNull(value, "clock");
        return this;
    }

    public BuildOnce progress(Progress value) {
        this.progress = Objects.requireNonNull(value, "progress");
        return this;
    }

    public BuildOnce digester(Digester value) {
        this.digester = Objects.requireNonNull(value, "digester");
        return this;
    }

    /** The {@code artifactType} of the artifact manifest built from files; default {@value MediaTypes#RELEASE_GATE_ARTIFACT}. */
    public BuildOnce artifactType(String value) {
        this.artifactType = Objects.requireNonNull(value, "artifactType");
        return this;
    }

    /** The source commit to record, when the workspace is not the work tree it was built from; default: the workspace's HEAD. */
    public BuildOnce commit(Optional<String> value) {
        this.commit = Objects.requireNonNull(value, "commit");
        return this;
    }

    /**
     * What the artifact is, recorded in the {@code built} event's payload as {@code describes} (a release manifest's
     * members): the ledger, signed, says what the stored bytes must say.
     */
    public BuildOnce describes(ObjectNode value) {
        this.describes = Optional.of(value.deepCopy());
        return this;
    }

    public BuildResult call() {
        if (name == null || name.isBlank()) {
            throw new InputException("a name is required (the artifact's name, e.g. payments)");
        }
        String repository = OciNames.repository(name);
        SemVer semver = SemVer.parse(version);
        String tag = OciNames.tagForVersion(semver.toString());
        if (actor == null || actor.isBlank()) {
            throw new InputException("an actor is required (who runs this build)");
        }
        String subject = name + "@" + semver;

        BuildInputs.Resolved inputs = BuildInputs.resolve(workspace, outputs);
        Prepared prepared = inputs instanceof BuildInputs.ImageLayout layout
                ? prepareLayout(layout.directory())
                : prepareFiles(((BuildInputs.FileList) inputs).outputs(), semver);

        Optional<Event> recorded = lastBuilt(subject);
        if (recorded.isPresent() && !recorded.get().digest().orElseThrow().equals(prepared.digest())) {
            Digest previous = recorded.get().digest().orElseThrow();
            throw new RefusedException(new Refusal("build.immutable-version",
                    subject + " was built as " + previous + " (ledger event " + recorded.get().id()
                            + "); this build produced " + prepared.digest(),
                    "a rebuild is a new version: bump the version and build again"));
        }
        Optional<StoredManifest> existing = store.fetchManifest(repository, tag);
        if (existing.isPresent() && !existing.get().digest().equals(prepared.digest())) {
            throw immutable(subject, existing.get().digest(), prepared.digest());
        }

        BuildResult.Outcome outcome;
        if (existing.isPresent()) {
            outcome = BuildResult.Outcome.ALREADY_PUBLISHED;
        } else {
            prepared.uploadBlobs(this);
            TagResult result = store.pushManifest(repository, Optional.of(tag), prepared.mediaType(), prepared.manifest());
            if (result instanceof TagResult.Conflict c) {
                throw immutable(subject, c.existing(), prepared.digest());
            }
            outcome = result instanceof TagResult.Created ? BuildResult.Outcome.PUBLISHED
                    : BuildResult.Outcome.ALREADY_PUBLISHED;
        }

        Optional<String> commit = this.commit.isPresent() ? this.commit : gitHead(workspace);
        Event built;
        if (recorded.isPresent()) {
            built = recorded.get();
        } else {
            ObjectNode payload = Json.object();
            payload.put("name", name);
            payload.put("version", semver.toString());
            payload.put("reference", repository + ":" + tag);
            payload.put("store", store.location());
            payload.put("mediaType", prepared.mediaType());
            payload.put("artifactType", prepared.artifactType());
            ArrayNode subjects = payload.putArray("subjects");
            for (Subject s : prepared.subjects()) {
                subjects.addObject().put("name", s.name()).put("digest", s.digest().toString());
            }
            if (!expectedTargets.isEmpty()) {
                ArrayNode expected = payload.putArray("expectedTargets");
                expectedTargets.forEach(expected::add);
            }
            commit.ifPresent(c -> payload.put("commit", c));
            describes.ifPresent(d -> payload.set("describes", d));
            built = ledger.append(Event.draft(EVENT_TYPE, subject, Optional.of(prepared.digest()), actor,
                    clock.instant(), payload));
        }
        return new BuildResult(name, semver.toString(), prepared.digest(), prepared.mediaType(), store.location(),
                repository + ":" + tag, prepared.subjects(), outcome, built.id(), commit, Targets.missing(built));
    }

    private Optional<Event> lastBuilt(String subject) {
        Optional<Event> last = Optional.empty();
        for (Event e : ledger.events(subject)) {
            if (EVENT_TYPE.equals(e.type())) {
                last = Optional.of(e);
            }
        }
        return last;
    }

    private static RefusedException immutable(String subject, Digest existing, Digest attempted) {
        return new RefusedException(new Refusal("store.immutable-version",
                subject + " is already published as " + existing + "; this build produced " + attempted,
                "versions are immutable: publish the new content under a new version"));
    }

    /** Everything needed to publish, computed before anything is written. */
    private record Prepared(String mediaType, String artifactType, byte[] manifest, Digest digest,
                            List<Subject> subjects, List<Upload> uploads) {
        void uploadBlobs(BuildOnce cmd) {
            long total = uploads.stream().filter(u -> u.file().isPresent()).mapToLong(Upload::size).sum();
            cmd.progress.start("publishing to " + cmd.store.location(), total);
            for (Upload u : uploads) {
                u.run(cmd);
            }
            cmd.progress.finish();
        }
    }

    private record Upload(Digest digest, long size, Optional<Path> file, Optional<byte[]> bytes, Optional<String> mediaType) {
        void run(BuildOnce cmd) {
            String repository = cmd.name;
            if (file.isPresent()) {
                cmd.store.pushBlob(repository, digest, size, file.get(), cmd.progress);
            } else if (mediaType.isPresent()) {
                TagResult r = cmd.store.pushManifest(repository, Optional.empty(), mediaType.get(), bytes.orElseThrow());
                if (!r.digest().equals(digest)) {
                    throw new InputException("store computed " + r.digest() + " for manifest " + digest);
                }
            } else {
                cmd.store.pushBlob(repository, digest, bytes.orElseThrow());
            }
        }
    }

    private Prepared prepareFiles(List<BuildOutput> files, SemVer semver) {
        long total = files.stream().mapToLong(BuildOutput::size).sum();
        progress.start("digesting " + files.size() + " file(s)", total);
        List<Digest> digests = digester.digestAll(files.stream().map(BuildOutput::file).toList(), progress);
        progress.finish();
        List<Subject> subjects = new ArrayList<>();
        List<ArtifactManifest.Layer> layers = new ArrayList<>();
        List<Upload> uploads = new ArrayList<>();
        uploads.add(new Upload(ArtifactManifest.emptyConfigDigest(), MediaTypes.EMPTY_JSON.length, Optional.empty(),
                Optional.of(MediaTypes.EMPTY_JSON), Optional.empty()));
        for (int i = 0; i < files.size(); i++) {
            BuildOutput f = files.get(i);
            Digest d = digests.get(i);
            subjects.add(new Subject(f.name(), d));
            layers.add(new ArtifactManifest.Layer(f.name(), MediaTypes.forFileName(f.name()), d, f.size()));
            uploads.add(new Upload(d, f.size(), Optional.of(f.file()), Optional.empty(), Optional.empty()));
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(MediaTypes.ANNOTATION_NAME, name);
        annotations.put(MediaTypes.ANNOTATION_VERSION, semver.toString());
        ArtifactManifest manifest = new ArtifactManifest(artifactType, layers, annotations);
        return new Prepared(manifest.mediaType(), artifactType, manifest.bytes(), manifest.digest(),
                subjects, uploads);
    }

    /** An OCI image layout: publish its single top-level manifest (image or index) and everything it refers to. */
    private Prepared prepareLayout(Path dir) {
        try {
            JsonNode index = Json.mapper().readTree(small(dir, dir.resolve("index.json"), "index.json"));
            JsonNode manifests = index.path("manifests");
            if (!manifests.isArray() || manifests.size() != 1) {
                throw new InputException("OCI image layout " + dir + " must list exactly one manifest in index.json, found "
                        + (manifests.isArray() ? manifests.size() : 0));
            }
            JsonNode top = manifests.get(0);
            List<Upload> uploads = new ArrayList<>();
            Digest topDigest = Digest.parse(top.path("digest").asText());
            byte[] topBytes = collect(dir, topDigest, top.path("mediaType").asText(), uploads, 0, new java.util.HashMap<>());
            uploads.remove(uploads.size() - 1); // the top manifest is stored with its tag, last
            String mediaType = top.path("mediaType").asText();
            String artifactType = Json.mapper().readTree(topBytes).path("artifactType").asText(
                    Json.mapper().readTree(topBytes).path("config").path("mediaType").asText(mediaType));
            return new Prepared(mediaType, artifactType, topBytes, topDigest, List.of(new Subject(name, topDigest)), uploads);
        } catch (IOException e) {
            throw new InputException("cannot read OCI image layout " + dir + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new InputException("OCI image layout " + dir + " is invalid: " + e.getMessage(), e);
        }
    }

    /**
     * Adds the uploads of the manifest or index {@code digest} and of everything it refers to, each blob once: an index
     * may name the same manifests (or indexes) many times, and {@code seen} keeps what was collected already.
     */
    private byte[] collect(Path dir, Digest digest, String mediaType, List<Upload> uploads, int depth, Map<Digest, byte[]> seen)
            throws IOException {
        if (depth > 8) {
            throw new InputException("OCI image layout " + dir + " nests indexes deeper than 8 levels");
        }
        byte[] known = seen.get(digest);
        if (known != null) {
            return known;
        }
        Path blob = blob(dir, digest);
        byte[] bytes = small(dir, blob, "manifest " + digest);
        if (!Digester.of(bytes).equals(digest)) {
            throw new InputException("OCI image layout " + dir + " is corrupt: blob " + digest + " does not match its digest");
        }
        JsonNode m = Json.mapper().readTree(bytes);
        if (MediaTypes.OCI_INDEX.equals(mediaType) || MediaTypes.DOCKER_MANIFEST_LIST.equals(mediaType)) {
            for (JsonNode child : m.path("manifests")) {
                collect(dir, Digest.parse(child.path("digest").asText()), child.path("mediaType").asText(), uploads, depth + 1, seen);
            }
        } else if (MediaTypes.isManifest(mediaType)) {
            List<JsonNode> refs = new ArrayList<>();
            refs.add(m.path("config"));
            m.path("layers").forEach(refs::add);
            for (JsonNode ref : refs) {
                Digest d = Digest.parse(ref.path("digest").asText());
                if (seen.containsKey(d)) {
                    continue;
                }
                Path f = blob(dir, d);
                long size = Files.size(f);
                Digest actual = digester.digest(f, Progress.NONE);
                if (!actual.equals(d)) {
                    throw new InputException("OCI image layout " + dir + " is corrupt: blob " + d + " has digest " + actual);
                }
                uploads.add(new Upload(d, size, Optional.of(f), Optional.empty(), Optional.empty()));
                seen.put(d, new byte[0]);
            }
        } else {
            throw new InputException("OCI image layout " + dir + ": unsupported manifest media type '" + mediaType + "'");
        }
        uploads.add(new Upload(digest, bytes.length, Optional.empty(), Optional.of(bytes), Optional.of(mediaType)));
        seen.put(digest, bytes);
        return bytes;
    }

    /** Manifests, indexes and index.json are read whole: up to this size. */
    static final int MAX_MANIFEST_BYTES = 4 << 20;

    /** A file of the layout read whole: it must be in the layout (even through links) and at most {@link #MAX_MANIFEST_BYTES}. */
    private static byte[] small(Path dir, Path file, String what) throws IOException {
        inLayout(dir, file, what);
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(MAX_MANIFEST_BYTES + 1);
            if (b.length > MAX_MANIFEST_BYTES) {
                throw new InputException("OCI image layout " + dir + ": " + what + " is larger than " + MAX_MANIFEST_BYTES
                        + " bytes; not a manifest or index");
            }
            return b;
        }
    }

    private static Path blob(Path dir, Digest d) {
        Path f = dir.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
        if (!Files.isRegularFile(f)) {
            throw new InputException("OCI image layout " + dir + " is missing blob " + d);
        }
        inLayout(dir, f, "blob " + d);
        return f;
    }

    /**
     * What the layout publishes must be in it: a blob or index.json that is a symbolic link leading out of the layout
     * directory (to a file anywhere on the machine) is refused, as a build output that leads out of the workspace is.
     */
    private static void inLayout(Path dir, Path file, String what) {
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            throw new InputException("OCI image layout " + dir + ": cannot resolve " + what + ": " + e.getMessage(), e);
        }
        if (!real.startsWith(dir)) {
            throw new InputException("OCI image layout " + dir + ": " + what + " is a symbolic link pointing outside the layout (to "
                    + real + "); refusing to publish it");
        }
    }

    /** HEAD of the git repository containing the workspace, if any. */
    /** The HEAD commit of the git work tree that holds {@code workspace}; empty outside git. */
    public static Optional<String> gitHead(Path workspace) {
        FileRepositoryBuilder builder = new FileRepositoryBuilder().readEnvironment().findGitDir(workspace.toAbsolutePath().toFile());
        if (builder.getGitDir() == null) {
            return Optional.empty();
        }
        try (Repository repo = builder.build()) {
            ObjectId head = repo.resolve("HEAD");
            return Optional.ofNullable(head).map(ObjectId::name);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
