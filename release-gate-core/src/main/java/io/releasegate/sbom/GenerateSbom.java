package io.releasegate.sbom;

import io.releasegate.ledger.EventType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.json.Json;
import io.releasegate.ledger.Event;
import io.releasegate.ledger.Ledger;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.MediaTypes;
import io.releasegate.store.Referrers;
import io.releasegate.store.StoredManifest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * generateSbom: the SBOM of a published release in CycloneDX 1.6 JSON, SPDX 2.3 JSON or both, bound to the
 * artifact digest, validated against each format's official schema, deterministic (timestamp from
 * {@code SOURCE_DATE_EPOCH} or the build, sorted content, identifiers derived from the content), each document
 * stored as its own OCI artifact whose {@code subject} is the release's manifest, and each recorded as an
 * {@code sbom-generated} event. {@link #ofFiles} does the same for local files, without store or ledger.
 */
public final class GenerateSbom {

    public static final String CYCLONEDX_MEDIA_TYPE = CycloneDxWriter.MEDIA_TYPE;
    public static final String SPDX_MEDIA_TYPE = SpdxWriter.MEDIA_TYPE;
    public static final String EVENT_TYPE = EventType.SBOM_GENERATED.wire();

    /** One written SBOM document. */
    public record Document(SbomFormat format, byte[] bytes, Digest digest) {
        public Document {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }

    /** A document stored next to the release: the referrer manifest's digest and the ledger event that records it. */
    public record Stored(Document document, Digest referrer, String reference, String eventId) {
    }

    /** The documents of one release, in the order of the requested formats. */
    public record Result(List<Stored> documents, List<String> warnings, int components) {
        public Result {
            documents = List.copyOf(documents);
            warnings = List.copyOf(warnings);
        }

        public Optional<Stored> document(SbomFormat format) {
            return documents.stream().filter(d -> d.document().format() == format).findFirst();
        }
    }

    /** The documents of local files, and the subject they describe. */
    public record FilesResult(SbomSubject subject, List<Document> documents, List<String> warnings, int components) {
        public FilesResult {
            documents = List.copyOf(documents);
            warnings = List.copyOf(warnings);
        }
    }

    private GenerateSbom() {
    }

    /** Both formats. */
    public static Result call(ArtifactStore store, Ledger ledger, String name, String version, Optional<Instant> sourceDateEpoch,
                              Limits limits, String actor, Clock clock) {
        return call(store, ledger, name, version, SbomFormat.parse("both"), sourceDateEpoch, limits, actor, clock);
    }

    public static Result call(ArtifactStore store, Ledger ledger, String name, String version, List<SbomFormat> formats,
                              Optional<Instant> sourceDateEpoch, Limits limits, String actor, Clock clock) {
        return call(store, ledger, name, version, formats, sourceDateEpoch, limits, Optional.empty(), actor, clock);
    }

    /**
     * The SBOM of a published release; JVM archives without Maven metadata of their own are identified in
     * {@code mavenRepository} when given (by identical bytes, see {@link MavenRepositoryIndex}).
     */
    public static Result call(ArtifactStore store, Ledger ledger, String name, String version, List<SbomFormat> formats,
                              Optional<Instant> sourceDateEpoch, Limits limits, Optional<MavenRepositoryIndex> mavenRepository,
                              String actor, Clock clock) {
        if (formats.isEmpty()) {
            throw new InputException("no SBOM format: use " + SbomFormat.CHOICES);
        }
        String subject = name + "@" + version;
        Event built = ledger.events(subject).stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst()
                .orElseThrow(() -> new InputException("unknown release " + subject + ": the ledger " + ledger.location()
                        + " has no 'built' event for it (build it first, or check the name and version)"));
        Digest artifact = built.digest().orElseThrow();
        StoredManifest manifest = store.fetchManifest(name, artifact.toString())
                .orElseThrow(() -> new InputException("store " + store.location() + " has no manifest " + artifact));
        Catalog catalog = Catalog.empty();
        try {
            for (var layer : Json.mapper().readTree(manifest.bytes()).path("layers")) {
                String title = layer.path("annotations").path(MediaTypes.ANNOTATION_TITLE).asText("");
                if (!Catalogers.supports(title)) {
                    continue;
                }
                try (InputStream in = store.openBlob(name, Digest.parse(layer.path("digest").asText()))) {
                    catalog = catalog.plus(Catalogers.catalog(title, in, limits));
                }
            }
        } catch (IOException e) {
            throw new InputException("cannot read " + subject + " from " + store.location() + ": " + e.getMessage(), e);
        }
        Catalog cataloged = bounded(catalog, limits);
        catalog = mavenRepository.map(r -> r.identify(cataloged)).orElse(cataloged);
        int identified = identifiedCount(cataloged, catalog);
        SbomSubject sbomSubject = SbomSubject.release(name, version, artifact, sourceDateEpoch.orElse(built.time()));
        // every document is written and validated before anything is stored or recorded
        List<Document> documents = write(sbomSubject, catalog, formats);
        List<String> warnings = catalog.warnings();
        int components = catalog.packages().size();

        List<Stored> stored = new ArrayList<>();
        for (Document d : documents) {
            // stored as an OCI artifact that refers to the release's manifest (OCI 1.1 subject)
            Referrers.Stored s = Referrers.push(store, name, manifest, d.format().mediaType(), d.format().fileName(), d.bytes());
            ObjectNode payload = Json.object().put("format", d.format().id()).put("specVersion", d.format().specVersion())
                    .put("sbomDigest", s.document().toString()).put("reference", s.reference()).put("components", components);
            if (identified > 0) {
                payload.put("identifiedInMavenRepository", identified);
            }
            warnings.forEach(w -> payload.withArray("warnings").add(w));
            Event e = ledger.append(Event.draft(EVENT_TYPE, subject, Optional.of(artifact), actor, clock.instant(), payload));
            stored.add(new Stored(d, s.manifest(), s.reference(), e.id()));
        }
        return new Result(stored, warnings, components);
    }

    /**
     * The SBOM of local files. One file is the subject itself (named after the file unless {@code name} is given);
     * several files need a {@code name}, and their subject's SHA-256 is that of the lines {@code "<sha256>  <file name>\n"}
     * sorted by file name. The timestamp is {@code SOURCE_DATE_EPOCH} or the newest modification time of the files.
     */
    public static FilesResult ofFiles(List<Path> files, Optional<String> name, Optional<String> version, List<SbomFormat> formats,
                                      Optional<Instant> sourceDateEpoch, Limits limits) {
        return ofFiles(files, name, version, formats, sourceDateEpoch, limits, Optional.empty());
    }

    /** The SBOM of local files, JVM archives without Maven metadata identified in {@code mavenRepository} when given. */
    public static FilesResult ofFiles(List<Path> files, Optional<String> name, Optional<String> version, List<SbomFormat> formats,
                                      Optional<Instant> sourceDateEpoch, Limits limits, Optional<MavenRepositoryIndex> mavenRepository) {
        if (files.isEmpty()) {
            throw new InputException("no file to catalog");
        }
        if (formats.isEmpty()) {
            throw new InputException("no SBOM format: use " + SbomFormat.CHOICES);
        }
        if (files.size() > 1 && name.isEmpty()) {
            throw new InputException("several files need a subject name (--name): the SBOM describes them together");
        }
        name.filter(String::isBlank).ifPresent(n -> {
            throw new InputException("the subject name must not be blank");
        });
        Set<String> fileNames = new HashSet<>();
        boolean uniqueNames = files.stream().allMatch(f -> fileNames.add(String.valueOf(f.getFileName())));
        Map<String, Digest> digests = new LinkedHashMap<>();
        Catalog catalog = Catalog.empty();
        Instant newest = Instant.EPOCH;
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new InputException("no such file: " + f);
            }
            String path = uniqueNames ? f.getFileName().toString() : f.normalize().toString();
            if (!Catalogers.supports(path)) {
                throw new InputException("no cataloger reads " + f + " (not a file type Release Gate catalogs)");
            }
            if (digests.containsKey(path)) {
                throw new InputException("file given twice: " + f);
            }
            try {
                // one read: the file is digested as the cataloger reads it, and whatever it did not read
                java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
                try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(f), sha256)) {
                    catalog = catalog.plus(Catalogers.catalog(path, in, limits));
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                digests.put(path, Digest.sha256(sha256.digest()));
                Instant modified = Files.getLastModifiedTime(f).toInstant();
                newest = modified.isAfter(newest) ? modified : newest;
            } catch (IOException e) {
                throw new InputException("cannot read " + f + ": " + e.getMessage(), e);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        Digest digest;
        String subjectName;
        if (digests.size() == 1) {
            digest = digests.values().iterator().next();
            subjectName = name.orElse(digests.keySet().iterator().next());
        } else {
            StringBuilder lines = new StringBuilder();
            digests.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> lines.append(e.getValue().hex()).append("  ").append(e.getKey()).append('\n'));
            digest = Digester.of(lines.toString().getBytes(StandardCharsets.UTF_8));
            subjectName = name.orElseThrow();
        }
        String purl = "pkg:generic/" + URLEncoder.encode(subjectName, StandardCharsets.UTF_8).replace("+", "%20")
                + version.map(v -> "@" + URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20")).orElse("")
                + "?checksum=sha256:" + digest.hex();
        SbomSubject subject = new SbomSubject(subjectName, version, digest, purl,
                sourceDateEpoch.orElse(newest).truncatedTo(ChronoUnit.SECONDS));
        Catalog cataloged = bounded(catalog, limits);
        catalog = mavenRepository.map(r -> r.identify(cataloged)).orElse(cataloged);
        return new FilesResult(subject, write(subject, catalog, formats), catalog.warnings(), catalog.packages().size());
    }

    /**
     * The catalog with at most {@link Limits#maxPackages} components, the first ones found (a parent comes before what
     * it contains), and a warning when some were left out: what the documents cost in memory stays bounded.
     */
    static Catalog bounded(Catalog catalog, Limits limits) {
        if (catalog.packages().size() <= limits.maxPackages()) {
            return catalog;
        }
        return Catalogers.merge(List.of(new Catalog(catalog.packages().subList(0, limits.maxPackages()), catalog.roots(),
                catalog.warnings())), List.of(limits.tooManyPackages()));
    }

    private static int identifiedCount(Catalog before, Catalog after) {
        int n = 0;
        for (int i = 0; i < before.packages().size(); i++) {
            if (before.packages().get(i).purl().isEmpty() && after.packages().get(i).purl().isPresent()) {
                n++;
            }
        }
        return n;
    }

    private static List<Document> write(SbomSubject subject, Catalog catalog, List<SbomFormat> formats) {
        List<Document> documents = new ArrayList<>();
        for (SbomFormat f : formats.stream().distinct().toList()) {
            byte[] bytes = f.write(subject, catalog);
            documents.add(new Document(f, bytes, Digester.of(bytes)));
        }
        return documents;
    }

    /**
     * Writes each document into {@code dir} under its format's file name: all are written to temporary files first
     * and only then moved into place, so a failure leaves no half-written SBOM behind.
     */
    public static List<Path> writeTo(Path dir, List<Document> documents) {
        Map<Path, byte[]> targets = new LinkedHashMap<>();
        documents.forEach(d -> targets.put(dir.resolve(d.format().fileName()), d.bytes()));
        return writeFiles(targets);
    }

    /**
     * Writes each file (path to bytes) via a temporary file beside it; the temporary files are moved into place only
     * once all are written and no target is in the way, and on a failure the files this call created are removed again.
     */
    public static List<Path> writeFiles(Map<Path, byte[]> files) {
        Map<Path, Path> temps = new LinkedHashMap<>();
        List<Path> created = new ArrayList<>();
        try {
            for (Path target : files.keySet()) {
                if (Files.isDirectory(target)) {
                    throw new IOException(target + " is a directory");
                }
            }
            for (Map.Entry<Path, byte[]> f : files.entrySet()) {
                Path target = f.getKey().toAbsolutePath();
                Files.createDirectories(target.getParent());
                Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
                temps.put(tmp, target);
                Files.write(tmp, f.getValue());
            }
            for (Map.Entry<Path, Path> t : temps.entrySet()) {
                boolean existed = Files.exists(t.getValue());
                Files.move(t.getKey(), t.getValue(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                if (!existed) {
                    created.add(t.getValue());
                }
            }
            created.clear();
            return List.copyOf(files.keySet());
        } catch (IOException e) {
            throw new InputException("cannot write the SBOM to " + files.keySet() + ": " + e.getMessage(), e);
        } finally {
            for (Path c : created) {
                try {
                    Files.deleteIfExists(c);
                } catch (IOException ignored) {
                    // best effort, as for the temporary files below
                }
            }
            for (Path tmp : temps.keySet()) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a leftover temporary file is hidden (dot name) and never taken for an SBOM
                }
            }
        }
    }
}
