package io.releasegate.sbom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.releasegate.digest.Digester;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.spdx.core.InvalidSPDXAnalysisException;
import org.spdx.jacksonstore.MultiFormatStore;
import org.spdx.library.LicenseInfoFactory;
import org.spdx.library.ModelCopyManager;
import org.spdx.library.SpdxModelFactory;
import org.spdx.library.model.v2.Checksum;
import org.spdx.library.model.v2.ReferenceType;
import org.spdx.library.model.v2.SpdxDocument;
import org.spdx.library.model.v2.SpdxPackage;
import org.spdx.library.model.v2.Version;
import org.spdx.library.model.v2.enumerations.ChecksumAlgorithm;
import org.spdx.library.model.v2.enumerations.Purpose;
import org.spdx.library.model.v2.enumerations.ReferenceCategory;
import org.spdx.library.model.v2.enumerations.RelationshipType;
import org.spdx.library.model.v2.license.AnyLicenseInfo;
import org.spdx.library.model.v2.license.ExtractedLicenseInfo;
import org.spdx.library.model.v2.license.SpdxNoAssertionLicense;
import org.spdx.storage.simple.InMemSpdxStore;

/**
 * Writes a catalog as SPDX 2.3 JSON with the SPDX Java library: the subject is a package carrying its
 * SHA-256 (and its purl), which the document {@code DESCRIBES}; every cataloged package is a package with
 * its checksums, its purl as a {@code PACKAGE-MANAGER} reference and its declared licenses
 * ({@code NOASSERTION} when none); nesting is {@code CONTAINS}, stated dependencies {@code DEPENDS_ON}.
 *
 * <p>Deterministic: {@code created} is the subject's timestamp, the {@code documentNamespace} is derived from
 * the content (never a random UUID), element ids are derived from the refs, and the serialised tree is put in a
 * canonical order (sorted keys, sorted packages, relationships, checksums and references). Every document is
 * verified by the library and validated against the official SPDX 2.3 JSON schema before it is returned.
 */
public final class SpdxWriter {

    public static final String MEDIA_TYPE = "application/spdx+json";
    public static final String SPEC_VERSION = "SPDX-2.3";
    public static final String SUBJECT_ID = "SPDXRef-Subject";
    static final String SCHEMA_RESOURCE = "/io/releasegate/sbom/spdx-schema-2.3.json";
    static final String NAMESPACE_BASE = "https://releasegate.io/spdx/";
    static final String CREATOR = "Tool: release-gate";

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    private static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    /** Array properties whose items are put in a canonical order, by the fields named (then by the whole item). */
    private static final Map<String, List<String>> SORT_KEYS = Map.of(
            "packages", List.of("SPDXID"),
            "relationships", List.of("spdxElementId", "relationshipType", "relatedSpdxElement"),
            "hasExtractedLicensingInfos", List.of("licenseId"),
            "checksums", List.of("algorithm"),
            "externalRefs", List.of("referenceCategory", "referenceType", "referenceLocator"),
            "documentDescribes", List.of(),
            "creators", List.of());

    private SpdxWriter() {
    }

    public static byte[] write(SbomSubject subject, Catalog catalog) {
        try {
            Map<String, String> declared = new TreeMap<>();
            // the library's document goes through a temporary file: its model and the canonical tree are never in memory at once
            Path serialized = Files.createTempFile("release-gate-spdx", ".json");
            try {
                serialize(subject, catalog, declared, serialized);
                return validated(canonical(serialized, declared));
            } finally {
                Files.deleteIfExists(serialized);
            }
        } catch (IOException e) {
            throw new io.releasegate.error.InputException("cannot write the SPDX SBOM to a temporary file: " + e.getMessage(), e);
        } catch (InvalidSPDXAnalysisException e) {
            throw new IllegalStateException("cannot write the SPDX SBOM: " + e.getMessage(), e);
        }
    }

    /** The documentNamespace: a URI under {@link #NAMESPACE_BASE} named after the subject and a digest of the content. */
    static String namespace(SbomSubject subject, Catalog catalog) {
        StringBuilder identity = new StringBuilder(subject.digest().toString()).append('\n').append(subject.name()).append('\n')
                .append(subject.version().orElse("")).append('\n').append(subject.purl());
        catalog.sorted().forEach(p -> identity.append('\n').append(p));
        catalog.roots().stream().sorted().forEach(r -> identity.append("\nroot ").append(r));
        String digest = Digester.of(identity.toString().getBytes(StandardCharsets.UTF_8)).hex();
        return NAMESPACE_BASE + idChars(subject.name()) + subject.version().map(v -> "-" + idChars(v)).orElse("") + "-" + digest;
    }

    /** The document as the library serialises it; {@code declaredById} receives each package's declared license expression. */
    private static void serialize(SbomSubject subject, Catalog catalog, Map<String, String> declaredById, Path to)
            throws InvalidSPDXAnalysisException, IOException {
        SpdxModelFactory.init();
        MultiFormatStore store = new MultiFormatStore(new InMemSpdxStore(), MultiFormatStore.Format.JSON);
        ModelCopyManager copies = new ModelCopyManager();
        String uri = namespace(subject, catalog);
        SpdxDocument doc = new SpdxDocument(store, uri, copies, true);
        doc.setSpecVersion(Version.TWO_POINT_THREE_VERSION);
        doc.setName(subject.name() + subject.version().map(v -> "@" + v).orElse(""));
        doc.setCreationInfo(doc.createCreationInfo(List.of(CREATOR), CREATED.format(subject.timestamp().truncatedTo(ChronoUnit.SECONDS))));
        doc.setDataLicense(LicenseInfoFactory.parseSPDXLicenseStringCompatV2("CC0-1.0", store, uri, copies));

        SpdxPackage root = doc.createPackage(SUBJECT_ID, subject.name(), noAssertion(store, uri), Literals.NOASSERTION,
                        noAssertion(store, uri))
                .setDownloadLocation(Literals.NOASSERTION)
                .setFilesAnalyzed(false)
                .addChecksum(doc.createChecksum(ChecksumAlgorithm.SHA256, subject.digest().hex()))
                .build();
        if (purlLocator(subject.purl()).isPresent()) {
            root.getExternalRefs().add(doc.createExternalRef(ReferenceCategory.PACKAGE_MANAGER, purlType(),
                    purlLocator(subject.purl()).get(), null));
        }
        subject.version().ifPresent(v -> set(() -> root.setVersionInfo(v)));
        doc.getDocumentDescribes().add(root);

        List<SbomPackage> packages = catalog.sorted();
        Map<String, String> ids = ids(packages);
        Map<String, SpdxPackage> spdx = new HashMap<>();
        Map<String, ExtractedLicenseInfo> extracted = new TreeMap<>();
        for (SbomPackage p : packages) {
            String expression = expression(p.licenses(), store, uri, copies, extracted);
            declaredById.put(ids.get(p.ref()), expression);
            AnyLicenseInfo declared = LicenseInfoFactory.parseSPDXLicenseStringCompatV2(expression, store, uri, copies);
            SpdxPackage.SpdxPackageBuilder b = doc.createPackage(ids.get(p.ref()), p.name().isBlank() ? p.ref() : p.name(),
                            noAssertion(store, uri),
                            Literals.NOASSERTION, declared)
                    .setDownloadLocation(Literals.NOASSERTION)
                    .setFilesAnalyzed(false)
                    .setPackageFileName(p.foundIn())
                    .setPrimaryPurpose(switch (p.type()) {
                        case "application" -> Purpose.APPLICATION;
                        case "framework" -> Purpose.FRAMEWORK;
                        case "operating-system" -> Purpose.OPERATING_SYSTEM;
                        default -> Purpose.LIBRARY;
                    });
            p.version().ifPresent(b::setVersionInfo);
            List<Checksum> checksums = new ArrayList<>();
            for (Map.Entry<String, ChecksumAlgorithm> a : ALGORITHMS.entrySet()) {
                // a value that is not hex of the algorithm's length is not a checksum: left out rather than written invalid
                var h = p.hash(a.getKey()).filter(v -> v.matches("[0-9a-f]{" + HEX_LENGTH.get(a.getKey()) + "}"));
                if (h.isPresent()) {
                    checksums.add(doc.createChecksum(a.getValue(), h.get()));
                }
            }
            b.setChecksums(checksums);
            Optional<String> purl = p.purl().flatMap(SpdxWriter::purlLocator);
            if (purl.isPresent()) {
                b.addExternalRef(doc.createExternalRef(ReferenceCategory.PACKAGE_MANAGER, purlType(), purl.get(), null));
            }
            spdx.put(p.ref(), b.build());
        }
        doc.setExtractedLicenseInfos(new ArrayList<>(extracted.values()));

        // the subject contains the top-level packages (the roots, and any package whose container is not cataloged)
        Set<String> top = new TreeSet<>();
        catalog.roots().stream().filter(spdx::containsKey).forEach(top::add);
        packages.stream().filter(p -> p.parent().filter(spdx::containsKey).isEmpty()).forEach(p -> top.add(p.ref()));
        for (String ref : top) {
            root.addRelationship(doc.createRelationship(spdx.get(ref), RelationshipType.CONTAINS, null));
        }
        for (SbomPackage p : packages) {
            p.parent().filter(spdx::containsKey).ifPresent(parent ->
                    add(spdx.get(parent), doc, spdx.get(p.ref()), RelationshipType.CONTAINS));
            for (String on : p.dependsOn()) {
                if (spdx.containsKey(on) && !on.equals(p.ref())) {
                    add(spdx.get(p.ref()), doc, spdx.get(on), RelationshipType.DEPENDS_ON);
                }
            }
        }

        // a deprecated listed license id is still a valid id: a warning (as the SPDX tools report it), not an error
        List<String> problems = doc.verify(Version.TWO_POINT_THREE_VERSION).stream().filter(m -> !m.contains(" is deprecated"))
                .toList();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("internal error: the SPDX document does not verify: " + String.join("; ", problems));
        }
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(to), 1 << 16)) {
            store.serialize(out, doc);
        }
    }

    private static final Map<String, ChecksumAlgorithm> ALGORITHMS = algorithms();
    private static final Map<String, Integer> HEX_LENGTH = Map.of("SHA-1", 40, "SHA-256", 64, "SHA-512", 128);

    private static Map<String, ChecksumAlgorithm> algorithms() {
        Map<String, ChecksumAlgorithm> m = new LinkedHashMap<>();
        m.put("SHA-1", ChecksumAlgorithm.SHA1);
        m.put("SHA-256", ChecksumAlgorithm.SHA256);
        m.put("SHA-512", ChecksumAlgorithm.SHA512);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Element ids: {@code SPDXRef-Package-} plus the ref in id characters plus a short digest of the ref (so ids stay unique). */
    static Map<String, String> ids(List<SbomPackage> packages) {
        Map<String, String> ids = new LinkedHashMap<>();
        for (SbomPackage p : packages) {
            String readable = idChars(p.name() + p.version().map(v -> "-" + v).orElse(""));
            if (readable.length() > 64) {
                readable = readable.substring(0, 64);
            }
            String hash = Digester.of(p.ref().getBytes(StandardCharsets.UTF_8)).hex().substring(0, 12);
            ids.put(p.ref(), "SPDXRef-Package-" + readable + "-" + hash);
        }
        return ids;
    }

    /** Letters, digits, '.' and '-' only (the SPDX id alphabet); anything else becomes '-'. */
    static String idChars(String s) {
        String r = s.replaceAll("[^A-Za-z0-9.\\-]+", "-");
        return r.isEmpty() ? "x" : r;
    }

    /**
     * The declared license: listed SPDX licenses (ids, well-known names, or expressions of listed ids) as such,
     * anything else as a {@code LicenseRef-} with the declared text; several licenses are all declared ({@code AND});
     * none is {@code NOASSERTION}.
     */
    private static String expression(List<String> licenses, MultiFormatStore store, String uri, ModelCopyManager copies,
                                     Map<String, ExtractedLicenseInfo> extracted) throws InvalidSPDXAnalysisException {
        Set<String> parts = new LinkedHashSet<>();
        for (String declared : new LinkedHashSet<>(licenses)) {
            String l = declared.trim();
            if (l.isEmpty()) {
                continue;
            }
            String id = Licenses.spdxId(l);
            if (id != null) {
                parts.add(id);
            } else if (listedExpression(l)) {
                parts.add(licenses.size() == 1 || !l.contains(" ") ? l : "(" + l + ")");
            } else {
                String ref = Literals.LICENSE_REF + idChars(l) + "-"
                        + Digester.of(l.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 8);
                if (!extracted.containsKey(ref)) {
                    ExtractedLicenseInfo info = new ExtractedLicenseInfo(store, uri, ref, copies, true);
                    info.setName(l);
                    info.setExtractedText("The package declares the license \"" + l + "\"; its text is not included.");
                    extracted.put(ref, info);
                }
                parts.add(ref);
            }
        }
        if (parts.isEmpty()) {
            return Literals.NOASSERTION;
        }
        return parts.size() == 1 ? parts.iterator().next() : "(" + String.join(" AND ", parts) + ")";
    }

    /** Whether {@code s} is an SPDX license expression made only of listed license and exception ids. */
    static boolean listedExpression(String s) {
        if (!s.matches("[A-Za-z0-9.+\\-() ]+")) {
            return false;
        }
        String[] tokens = s.replace("(", " ").replace(")", " ").trim().split("\\s+");
        boolean afterWith = false;
        for (String t : tokens) {
            if (t.equals("AND") || t.equals("OR")) {
                afterWith = false;
                continue;
            }
            if (t.equals("WITH")) {
                afterWith = true;
                continue;
            }
            String id = t.endsWith("+") ? t.substring(0, t.length() - 1) : t;
            boolean ok = afterWith ? LicenseInfoFactory.listedExceptionIdCaseSensitive(id).filter(id::equals).isPresent()
                    : LicenseInfoFactory.listedLicenseIdCaseSensitive(id).filter(id::equals).isPresent();
            if (!ok) {
                return false;
            }
            afterWith = false;
        }
        return true;
    }

    /**
     * A purl as an SPDX reference locator: characters a purl may not hold raw (spaces, quotes, non-ASCII, ...) are
     * percent-encoded; something that is not a purl at all is left out.
     */
    static Optional<String> purlLocator(String purl) {
        if (!purl.startsWith("pkg:") || purl.length() < 6) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder();
        for (byte b : purl.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && "\"<>\\^`{|}".indexOf(c) < 0) {
                out.append((char) c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return Optional.of(out.toString());
    }

    private static AnyLicenseInfo noAssertion(MultiFormatStore store, String uri) throws InvalidSPDXAnalysisException {
        return new SpdxNoAssertionLicense(store, uri);
    }

    private static ReferenceType purlType() throws InvalidSPDXAnalysisException {
        return new ReferenceType("http://spdx.org/rdf/references/purl");
    }

    private static void add(SpdxPackage from, SpdxDocument doc, SpdxPackage to, RelationshipType type) {
        set(() -> from.addRelationship(doc.createRelationship(to, type, null)));
    }

    private interface SpdxAction {
        void run() throws InvalidSPDXAnalysisException;
    }

    private static void set(SpdxAction a) {
        try {
            a.run();
        } catch (InvalidSPDXAnalysisException e) {
            throw new IllegalStateException("cannot write the SPDX SBOM: " + e.getMessage(), e);
        }
    }

    /**
     * The serialised document in canonical order: sorted object keys, sorted arrays (see {@link #SORT_KEYS}), and each
     * package's {@code licenseDeclared} written as the expression was built (in declared order) rather than in the order
     * the library's license sets happen to iterate.
     */
    static byte[] canonical(Path json, Map<String, String> declaredById) {
        try {
            JsonNode tree = CANONICAL.readTree(json.toFile());
            for (JsonNode p : tree.path("packages")) {
                String expression = declaredById.get(p.path("SPDXID").asText());
                if (expression != null && p instanceof ObjectNode o) {
                    o.put("licenseDeclared", expression);
                }
            }
            JsonNode sorted = sort(tree, null);
            tree = null; // a large document is held once, not twice, while it is written
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, Files.size(json) + (1 << 16)));
            CANONICAL.writeValue(out, sorted);
            out.write('\n');
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("internal error: the SPDX serialiser wrote unreadable JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode sort(JsonNode node, String property) {
        if (node.isObject()) {
            ObjectNode sorted = JsonNodeFactory.instance.objectNode();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.stream().sorted().forEach(n -> sorted.set(n, sort(node.get(n), n)));
            return sorted;
        }
        if (node.isArray()) {
            List<JsonNode> items = new ArrayList<>();
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                items.add(sort(it.next(), null));
            }
            List<String> keys = SORT_KEYS.get(property);
            if (keys != null) {
                Comparator<JsonNode> order = Comparator.comparing(n -> "");
                for (String k : keys) {
                    order = order.thenComparing(n -> n.path(k).asText(""));
                }
                items.sort(order.thenComparing(SpdxWriter::text));
            }
            ArrayNode sorted = JsonNodeFactory.instance.arrayNode();
            items.forEach(sorted::add);
            return sorted;
        }
        return node;
    }

    private static String text(JsonNode n) {
        try {
            return CANONICAL.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Returns {@code json} once it validates against the official SPDX 2.3 JSON schema. */
    static byte[] validated(byte[] json) {
        List<String> errors = schemaErrors(json);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("internal error: the SPDX SBOM does not validate against the SPDX 2.3 schema: "
                    + String.join("; ", errors));
        }
        return json;
    }

    /** The official SPDX 2.3 JSON schema, loaded once (a compiled schema is immutable and thread-safe). */
    private static final class Schema {
        static final JsonSchema SPDX_2_3 = load();

        private static JsonSchema load() {
            try (InputStream in = SpdxWriter.class.getResourceAsStream(SCHEMA_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the SPDX 2.3 schema is missing from the classpath: " + SCHEMA_RESOURCE);
                }
                return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Every violation of the official SPDX 2.3 JSON schema, with its location; empty when valid. */
    public static List<String> schemaErrors(byte[] json) {
        try {
            Set<ValidationMessage> messages = Schema.SPDX_2_3.validate(CANONICAL.readTree(json));
            return messages.stream().map(ValidationMessage::toString).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
    }

    /**
     * The SHA-256 of what an SPDX JSON document {@code DESCRIBES} (the first described package's SHA256 checksum),
     * to check that a document read back is bound to the artifact; empty when it describes nothing with a SHA-256.
     */
    public static Optional<String> describedSha256(byte[] json) {
        JsonNode doc;
        try {
            doc = CANONICAL.readTree(json);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (JsonNode r : doc.path("relationships")) {
            if (r.path("relationshipType").asText().equals("DESCRIBES")
                    && r.path("spdxElementId").asText().equals(doc.path("SPDXID").asText())) {
                for (JsonNode p : doc.path("packages")) {
                    if (p.path("SPDXID").asText().equals(r.path("relatedSpdxElement").asText())) {
                        for (JsonNode c : p.path("checksums")) {
                            if (c.path("algorithm").asText().equals("SHA256")) {
                                return Optional.of(c.path("checksumValue").asText());
                            }
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The SPDX literals used here. */
    static final class Literals {
        static final String NOASSERTION = "NOASSERTION";
        static final String LICENSE_REF = "LicenseRef-";

        private Literals() {
        }
    }
}
