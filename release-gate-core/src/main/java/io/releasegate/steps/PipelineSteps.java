package io.releasegate.steps;

import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.context.ReleaseContext;
import io.releasegate.digest.Subject;
import io.releasegate.error.InputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One entry point per pipeline step, taking and returning plain values (maps, lists, strings), so
 * that the Jenkins plugin's steps and the shared-library tests call exactly the same code. Identity
 * (the actor) and secrets are passed by the caller from its own trusted source, never from the map.
 */
public final class PipelineSteps {

    /** Arguments {@link #buildOnce} accepts. */
    public static final Set<String> BUILD_ONCE_ARGS = Set.of("name", "version", "artifacts", "store", "ledger");

    private PipelineSteps() {
    }

    /**
     * buildOnce: {@code name}, {@code version}, {@code artifacts} (a glob/path string, or a list of
     * them), optional {@code store} and {@code ledger} locations.
     *
     * @return {@code name, version, digest, reference, outcome, event, commit?, subjects: [{name, digest}]}
     */
    public static Map<String, Object> buildOnce(Map<String, ?> args, StepEnvironment env) {
        checkKeys("buildOnce", args, BUILD_ONCE_ARGS);
        try (ReleaseContext ctx = open(args, env)) {
            BuildResult r = new BuildOnce(ctx.store(), ctx.ledger())
                    .name(text(args, "name", null)).version(text(args, "version", null))
                    .workspace(env.workspace()).outputs(paths(args.get("artifacts"))).actor(env.actor()).progress(env.progress())
                    .call();
            return describe(r);
        }
    }

    /** A build result as plain values, the shape {@code buildOnce} returns and {@code build-once --json} prints. */
    public static Map<String, Object> describe(BuildResult r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", r.name());
        out.put("version", r.version());
        out.put("digest", r.digest().toString());
        List<Map<String, String>> subjects = new ArrayList<>();
        for (Subject s : r.subjects()) {
            Map<String, String> subject = new LinkedHashMap<>();
            subject.put("name", s.name());
            subject.put("digest", s.digest().toString());
            subjects.add(subject);
        }
        out.put("subjects", subjects);
        out.put("reference", r.reference());
        out.put("mediaType", r.mediaType());
        out.put("store", r.store());
        out.put("outcome", r.outcome() == BuildResult.Outcome.PUBLISHED ? "published" : "unchanged");
        out.put("event", r.eventId());
        r.commit().ifPresent(c -> out.put("commit", c));
        return out;
    }

    /** The evidence spine a step works on, from its store/ledger arguments. */
    private static ReleaseContext open(Map<String, ?> args, StepEnvironment env) {
        return ReleaseContext.open(env.context(text(args, "store", ""), text(args, "ledger", "")));
    }

    /** The workspace's policy (over the central one when pinned), for steps that decide about no environment. */
    private static io.releasegate.policy.Policy policy(StepEnvironment env) {
        Path team = env.workspace().resolve(io.releasegate.policy.PolicyLoader.TEAM_POLICY);
        return io.releasegate.policy.PolicyLoader.load(env.central(),
                java.nio.file.Files.exists(team) ? Optional.of(team) : Optional.empty());
    }

    /**
     * The policy of a decision about {@code environment} of the release {@code name@version}: production's is the one
     * committed at the built commit (the workspace's file is not read), or the admin's central one
     * ({@link io.releasegate.policy.PolicyResolver}).
     */
    private static io.releasegate.policy.Policy policy(StepEnvironment env, ReleaseContext ctx, String name, String version,
                                                       String environment) {
        Optional<String> commit = ctx.ledger().events(name + "@" + version).stream()
                .filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst().flatMap(e -> e.text("commit"));
        return new io.releasegate.policy.PolicyResolver(env.workspace()).builtCommit(commit).environment(environment)
                .central(env.central()).call();
    }

    /**
     * generateSbom: {@code name, version} [store, ledger, format, out, spdxOut, mavenRepo] -> {@code digest, components,
     * warnings, documents}. {@code mavenRepo}: a Maven repository directory on the agent (e.g. {@code ~/.m2/repository})
     * where jars without Maven metadata are identified by their exact bytes. {@code format} is {@code cyclonedx}, {@code spdx} or {@code both} (default); {@code out} names the
     * workspace file for the CycloneDX document, {@code spdxOut} the one for the SPDX document (each only with its format).
     * {@code digest} is the first document's (CycloneDX when written); {@code documents} lists each format's digest,
     * referrer and ledger event.
     */
    public static Map<String, Object> generateSbom(Map<String, ?> args, StepEnvironment env) {
        Path workspace = env.workspace();
        checkKeys("generateSbom", args, Set.of("name", "version", "store", "ledger", "format", "out", "spdxOut", "mavenRepo"));
        Optional<io.releasegate.sbom.MavenRepositoryIndex> mavenRepo = Optional.ofNullable(args.get("mavenRepo"))
                .map(r -> io.releasegate.sbom.MavenRepositoryIndex.of(workspace.resolve(r.toString())));
        List<io.releasegate.sbom.SbomFormat> formats = io.releasegate.sbom.SbomFormat.parse(text(args, "format", "both"));
        Map<io.releasegate.sbom.SbomFormat, Path> outputs = new LinkedHashMap<>();
        for (var target : Map.of("out", io.releasegate.sbom.SbomFormat.CYCLONEDX, "spdxOut", io.releasegate.sbom.SbomFormat.SPDX)
                .entrySet()) {
            if (args.get(target.getKey()) == null) {
                continue;
            }
            if (!formats.contains(target.getValue())) {
                throw new InputException("generateSbom: '" + target.getKey() + "' names the " + target.getValue().title()
                        + " file, but format '" + text(args, "format", "both") + "' does not write it");
            }
            outputs.put(target.getValue(), workspace.resolve(args.get(target.getKey()).toString()));
        }
        try (ReleaseContext ctx = open(args, env)) {
            io.releasegate.sbom.GenerateSbom.Result r = io.releasegate.sbom.GenerateSbom.call(ctx.store(), ctx.ledger(),
                    text(args, "name", null), text(args, "version", null), formats, Optional.empty(),
                    io.releasegate.sbom.Limits.defaults(), mavenRepo, env.actor(), java.time.Clock.systemUTC());
            Map<Path, byte[]> files = new LinkedHashMap<>();
            outputs.forEach((format, path) -> files.put(path, r.document(format).orElseThrow().document().bytes()));
            io.releasegate.sbom.GenerateSbom.writeFiles(files);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("digest", r.documents().get(0).document().digest().toString());
            out.put("components", r.components());
            out.put("warnings", new ArrayList<>(r.warnings()));
            List<Map<String, Object>> documents = new ArrayList<>();
            for (var d : r.documents()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("format", d.document().format().id());
                m.put("specVersion", d.document().format().specVersion());
                m.put("digest", d.document().digest().toString());
                m.put("referrer", d.referrer().toString());
                m.put("event", d.eventId());
                documents.add(m);
            }
            out.put("documents", documents);
            return out;
        }
    }

    /** sign: the release artifact with a key file (from the credentials store) -> {@code event}. */
    public static Map<String, Object> sign(Map<String, ?> args, StepEnvironment env, Path privateKey, Path publicKey) {
        checkKeys("sign", args, Set.of("name", "version", "store", "ledger"));
        try (ReleaseContext ctx = open(args, env)) {
            io.releasegate.ledger.Event e = io.releasegate.signing.ReleaseSignatures.sign(ctx.store(), ctx.ledger(),
                    text(args, "name", null), text(args, "version", null), releaseKey(env, privateKey),
                    io.releasegate.signing.KeySigner.publicKey(publicKey), env.actor(), java.time.Clock.systemUTC());
            return new LinkedHashMap<>(Map.of("event", e.id()));
        }
    }

    /**
     * sign in certificate mode: the release artifact signed with {@code privateKey}, which must be the key of the leaf
     * certificate in {@code certificate} (a PEM file: the leaf first, optionally followed by its issuing chain, or with
     * the chain in {@code chain}, intermediates first). The Sigstore bundle is stored as an OCI referrer of the release
     * and a {@code signed} event records it. -> {@code event, mode, identity, issuer?, reference, bundleDigest}.
     */
    public static Map<String, Object> signWithCertificate(Map<String, ?> args, StepEnvironment env, Path privateKey, Path certificate,
                                                          Optional<Path> chain) {
        checkKeys("sign", args, Set.of("name", "version", "store", "ledger"));
        List<java.security.cert.X509Certificate> certs = io.releasegate.signing.SigningCertificates.read(certificate);
        List<java.security.cert.X509Certificate> chainCerts = chain.isPresent()
                ? io.releasegate.signing.SigningCertificates.read(chain.get()) : certs.subList(1, certs.size());
        io.releasegate.signing.CertificateSigner signer = new io.releasegate.signing.CertificateSigner(
                releaseKey(env, privateKey), certs.get(0), chainCerts, Optional.empty());
        try (ReleaseContext ctx = open(args, env)) {
            io.releasegate.ledger.Event e = io.releasegate.signing.ReleaseSignatures.signWithCertificate(ctx.store(), ctx.ledger(),
                    text(args, "name", null), text(args, "version", null), signer, env.actor(), java.time.Clock.systemUTC());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("event", e.id());
            out.put("mode", "certificate");
            out.put("identity", e.payload().path("identity").asText());
            if (e.payload().hasNonNull("issuer")) {
                out.put("issuer", e.payload().path("issuer").asText());
            }
            out.put("reference", e.payload().path("reference").asText());
            out.put("bundleDigest", e.payload().path("bundleDigest").asText());
            return out;
        }
    }

    /** The arguments of verifySignatures in certificate mode (beside name, version, store, ledger). */
    public static final Set<String> CERTIFICATE_ARGS = Set.of("certificateIdentity", "certificateIdentityRegexp", "certificateOidcIssuer");

    /**
     * verifySignatures: fails closed (a refusal) unless the release's signatures verify with the public key and
     * its stored provenance attestation, read back from the store by digest, verifies for the built digest with
     * the same key. Both outcomes are recorded. -> {@code verified, event, provenanceEvent}.
     */
    public static Map<String, Object> verifySignatures(Map<String, ?> args, StepEnvironment env, Path publicKey) {
        Set<String> given = new TreeSet<>(args.keySet());
        given.retainAll(CERTIFICATE_ARGS);
        if (!given.isEmpty()) {
            throw new InputException("verifySignatures: " + given + " belong to certificate mode, which verifies against a trust root "
                    + "(trusted_root.json or a PEM bundle of CA certificates), not a public key");
        }
        checkKeys("verifySignatures", args, Set.of("name", "version", "store", "ledger"));
        try (ReleaseContext ctx = open(args, env)) {
            java.security.PublicKey key = io.releasegate.signing.KeySigner.publicKey(publicKey);
            String name = text(args, "name", null);
            String version = text(args, "version", null);
            io.releasegate.verify.VerifyRelease.Result r = new io.releasegate.verify.VerifyRelease(ctx.store(), ctx.ledger())
                    .release(name, version).key(key).requireProvenance(true).actor(env.actor()).clock(java.time.Clock.systemUTC()).call();
            io.releasegate.ledger.Event e = r.signature();
            io.releasegate.ledger.Event p = r.provenance().orElseThrow();
            return new LinkedHashMap<>(Map.of("verified", true, "event", e.id(), "provenanceEvent", p.id()));
        }
    }

    /**
     * verifySignatures in certificate mode, like {@code cosign verify-blob --certificate-identity[-regexp] ...
     * --certificate-oidc-issuer ...}: {@code certificateIdentity} (exact) or {@code certificateIdentityRegexp} (the whole
     * SAN must match), {@code certificateOidcIssuer}, and {@code trustRoot} (a Sigstore {@code trusted_root.json} or a PEM
     * bundle of CA certificates). A stored bundle of the release must verify for that policy and trust root, and the
     * stored provenance must verify with the key of the certificate that did. A missing identity, issuer or trust root is
     * an input error naming it; a failed check is a refusal naming the check (certificate.identity, certificate.issuer,
     * certificate.untrusted, ...). Both outcomes are recorded.
     * -> {@code verified, mode, identity, issuer, event, provenanceEvent}.
     */
    public static Map<String, Object> verifySignaturesWithCertificate(Map<String, ?> args, StepEnvironment env, Optional<Path> trustRoot) {
        Set<String> valid = new TreeSet<>(CERTIFICATE_ARGS);
        valid.addAll(Set.of("name", "version", "store", "ledger"));
        checkKeys("verifySignatures", args, valid);
        String identity = text(args, "certificateIdentity", "");
        String regexp = text(args, "certificateIdentityRegexp", "");
        String issuer = text(args, "certificateOidcIssuer", "");
        List<String> missing = new ArrayList<>();
        if (identity.isBlank() && regexp.isBlank()) {
            missing.add("certificateIdentity or certificateIdentityRegexp");
        }
        if (issuer.isBlank()) {
            missing.add("certificateOidcIssuer");
        }
        if (trustRoot.isEmpty()) {
            missing.add("a trust root (trusted_root.json or a PEM bundle of CA certificates)");
        }
        if (!missing.isEmpty()) {
            throw new InputException("verifySignatures: certificate mode needs " + String.join(", ", missing));
        }
        if (!identity.isBlank() && !regexp.isBlank()) {
            throw new InputException("verifySignatures: give only one of certificateIdentity and certificateIdentityRegexp");
        }
        io.releasegate.signing.CertificateVerifier.Policy policy = identity.isBlank()
                ? io.releasegate.signing.CertificateVerifier.Policy.regexp(regexp, issuer)
                : io.releasegate.signing.CertificateVerifier.Policy.exact(identity, issuer);
        io.releasegate.signing.TrustRoot root = io.releasegate.signing.TrustRoot.load(trustRoot.get());
        try (ReleaseContext ctx = open(args, env)) {
            String name = text(args, "name", null);
            String version = text(args, "version", null);
            io.releasegate.verify.VerifyRelease.Result r = new io.releasegate.verify.VerifyRelease(ctx.store(), ctx.ledger())
                    .release(name, version).certificate(policy, root).requireProvenance(true).actor(env.actor())
                    .clock(java.time.Clock.systemUTC()).call();
            io.releasegate.ledger.Event e = r.signature();
            io.releasegate.ledger.Event p = r.provenance().orElseThrow();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("verified", true);
            out.put("mode", "certificate");
            out.put("identity", e.payload().path("identity").asText());
            out.put("issuer", issuer);
            out.put("event", e.id());
            out.put("provenanceEvent", p.id());
            return out;
        }
    }

    /**
     * plan: what a run on {@code branch} does and under which version ({@link io.releasegate.version.PipelinePlan}):
     * {@code branch, changeRequest?, version?} -> {@code branch, kind, toProduction, version, release, reason,
     * approvals: {count, roles}}. A branch that breaks the branch rules is a refusal.
     */
    public static Map<String, Object> plan(Map<String, ?> args, StepEnvironment env) {
        checkKeys("plan", args, Set.of("branch", "changeRequest", "version", "emergency"));
        io.releasegate.policy.Policy policy = policy(env);
        if (args.get("emergency") != null) {
            // refused before any stage: the same completeness rule promoteDigest applies; the approver is still to come
            // (whoever submits the emergency input), so it is not asked for here
            List<String> missing = new ArrayList<>(emergency(args.get("emergency"), "pending").missing(policy.emergency().requires()));
            if (!missing.isEmpty()) {
                throw new io.releasegate.error.RefusedException(new io.releasegate.error.Refusal("emergency.incomplete",
                        "the emergency record lacks " + missing, "complete the emergency record: " + policy.emergency().requires()));
            }
        }
        try (io.releasegate.commits.History history = io.releasegate.commits.History.open(env.workspace())) {
            Object given = args.get("version");
            io.releasegate.version.PipelinePlan.Result r = new io.releasegate.version.PipelinePlan(history)
                    .branch(text(args, "branch", null)).changeRequest(Boolean.parseBoolean(text(args, "changeRequest", "false")))
                    .version(given == null || given.toString().isBlank() ? Optional.empty() : Optional.of(given.toString())).call();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("branch", r.branch());
            out.put("kind", r.kind());
            out.put("toProduction", r.toProduction());
            out.put("version", r.version());
            out.put("release", r.release());
            out.put("reason", r.reason());
            out.put("emergency", args.get("emergency") != null);
            out.put("approvals", new LinkedHashMap<>(Map.of("count", policy.approvals().count(),
                    "roles", new ArrayList<>(policy.approvals().roles()))));
            return out;
        }
    }

    /**
     * libraryCheck: refuses ({@code promote.library-unpinned}) a pipeline library loaded from a moving ref
     * unless the policy allows it; the same rule promoteDigest applies to the last environment.
     */
    public static Map<String, Object> libraryCheck(Map<String, ?> args, StepEnvironment env) {
        checkKeys("libraryCheck", args, Set.of("libraryName", "libraryVersion"));
        io.releasegate.policy.Policy policy = policy(env);
        String ref = text(args, "libraryVersion", "");
        io.releasegate.provenance.LibraryRef.check(policy, text(args, "libraryName", "golden"), ref).ifPresent(r -> {
            throw new io.releasegate.error.RefusedException(r);
        });
        return new LinkedHashMap<>(Map.of("pinned", io.releasegate.provenance.LibraryRef.pinned(ref)));
    }

    /**
     * tag: the signed annotated release tag on the built commit ({@link io.releasegate.tag.TagRelease}), pushed to
     * {@code remote} when given. A release already tagged by its pipeline (a {@code tagged} event, and the tag on the
     * built commit) is reported {@code unchanged}; any other existing tag is refused, never moved.
     * -> {@code tag, commit, outcome, pushed}.
     */
    public static Map<String, Object> tagRelease(Map<String, ?> args, StepEnvironment env, Path armoredKey, char[] passphrase,
                                                 io.releasegate.tag.RemoteAccess access) {
        checkKeys("tag", args, Set.of("name", "version", "store", "ledger", "branch", "remote"));
        String actor = env.actor();
        try (ReleaseContext ctx = open(args, env.credentials(Optional.empty()));
             io.releasegate.commits.History history = io.releasegate.commits.History.open(env.workspace())) {
            String name = text(args, "name", null);
            String version = text(args, "version", null);
            String tag = "v" + io.releasegate.version.SemVer.parse(version);
            Optional<io.releasegate.ledger.Event> tagged = ctx.ledger().events(name + "@" + version).stream()
                    .filter(e -> e.type().equals(io.releasegate.tag.TagRelease.EVENT_TYPE)).reduce((a, b) -> b);
            if (tagged.isPresent()) {
                Optional<String> local = history.releaseTags().stream().filter(t -> t.name().equals(tag))
                        .map(io.releasegate.commits.History.ReleaseTag::commit).findFirst();
                if (local.isPresent() && local.get().equals(tagged.get().text("commit").orElse(""))) {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("tag", tag);
                    out.put("commit", local.get());
                    out.put("outcome", "unchanged");
                    out.put("pushed", false);
                    return out;
                }
            }
            Object remote = args.get("remote");
            io.releasegate.tag.TagRelease.Result r = new io.releasegate.tag.TagRelease(history, ctx.ledger()).name(name).version(version)
                    .branch(Optional.ofNullable(args.get("branch")).map(Object::toString))
                    .signer(io.releasegate.signing.OpenPgpSigner.fromArmoredSecretKey(armoredKey, passphrase))
                    .actor(actor, actor.replaceAll("[^A-Za-z0-9._-]", "_") + "@release-gate")
                    .remote(remote == null || remote.toString().isBlank() ? Optional.empty() : Optional.of(remote.toString()))
                    .access(access).call();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("tag", r.tag());
            out.put("commit", r.commit());
            out.put("outcome", "tagged");
            out.put("pushed", r.pushed());
            return out;
        }
    }

    /** approvalStatus: the approvals recorded for the digest against the policy -> {@code satisfied, status}. */
    public static Map<String, Object> approvalStatus(Map<String, ?> args, StepEnvironment env) {
        checkKeys("approvalStatus", args, Set.of("name", "version", "store", "ledger", "digest", "environment"));
        try (ReleaseContext ctx = open(args, env)) {
            io.releasegate.policy.Policy policy = policy(env, ctx, text(args, "name", null), text(args, "version", null),
                    text(args, "environment", "production"));
            io.releasegate.approval.ApprovalStatus st = io.releasegate.approval.ApprovalStatus.of(policy,
                    ctx.ledger().events(text(args, "name", null) + "@" + text(args, "version", null)),
                    io.releasegate.digest.Digest.parse(text(args, "digest", null)), text(args, "environment", "production"));
            return new LinkedHashMap<>(Map.of("satisfied", st.satisfied(), "status", st.describe()));
        }
    }

    /** provenance: SLSA v1 in DSSE for the release -> {@code event}. */
    public static Map<String, Object> provenance(Map<String, ?> args, StepEnvironment env, Path privateKey) {
        checkKeys("provenance", args, Set.of("name", "version", "store", "ledger", "repository", "ref", "jenkinsfile",
                "libraryName", "libraryVersion", "builderId", "invocationId"));
        try (ReleaseContext ctx = open(args, env)) {
            java.time.Instant now = java.time.Instant.now();
            io.releasegate.provenance.Provenance.generate(ctx.store(), ctx.ledger(), text(args, "name", null), text(args, "version", null),
                    new io.releasegate.provenance.Provenance.Build(text(args, "repository", "unknown"), text(args, "ref", "unknown"),
                            text(args, "jenkinsfile", "Jenkinsfile"), text(args, "libraryName", "golden"),
                            text(args, "libraryVersion", "unknown"), Optional.empty(), text(args, "builderId", "unknown"),
                            text(args, "invocationId", "unknown"), now, now),
                    releaseKey(env, privateKey), "release-key", env.actor(), java.time.Clock.systemUTC());
            return new LinkedHashMap<>(Map.of("predicateType", io.releasegate.provenance.Provenance.PREDICATE));
        }
    }

    /** gate: reports relative to the workspace -> {@code pass, summary}; a failing gate is a refusal. */
    public static Map<String, Object> gate(Map<String, ?> args, StepEnvironment env) {
        Path workspace = env.workspace();
        checkKeys("gate", args, Set.of("name", "version", "store", "ledger", "sarif", "vulns", "sbom", "junit", "notApplicable",
                "branch", "environment"));
        try (ReleaseContext ctx = open(args, env)) {
            String name = text(args, "name", null);
            String version = text(args, "version", null);
            io.releasegate.policy.Policy policy = policy(env, ctx, name, version, text(args, "environment", "production"));
            io.releasegate.digest.Digest digest = ctx.ledger().events(name + "@" + version).stream()
                    .filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst().flatMap(io.releasegate.ledger.Event::digest)
                    .orElseThrow(() -> new InputException("gate: " + name + "@" + version + " was not built"));
            io.releasegate.gates.EvaluateGates g = new io.releasegate.gates.EvaluateGates(policy, ctx.ledger())
                    .release(name, version, digest)
                    .sarif(files(workspace, args.get("sarif"))).vulnerabilities(files(workspace, args.get("vulns")))
                    .sbom(files(workspace, args.get("sbom"))).junit(files(workspace, args.get("junit")))
                    .exceptions(io.releasegate.gates.PolicyException.loadAll(workspace.resolve(policy.exceptions().directory())))
                    .context(name, text(args, "branch", "main"), text(args, "environment", "production")).actor(env.actor());
            if (args.get("notApplicable") instanceof Map<?, ?> na) {
                na.forEach((k, v) -> g.notApplicable(String.valueOf(k), String.valueOf(v)));
            }
            io.releasegate.gates.EvaluateGates.Decision d = g.call();
            if (!d.pass()) {
                throw new io.releasegate.error.RefusedException(new io.releasegate.error.Refusal("gates.failed", d.summary(),
                        "fix the blocking findings or cover them with valid exceptions"));
            }
            return new LinkedHashMap<>(Map.of("pass", true, "summary", d.summary()));
        }
    }

    /**
     * approveProduction: one approval by {@code approver} — the identity Jenkins recorded for whoever
     * submitted the input, never a value from the Jenkinsfile. -> {@code satisfied, status}.
     */
    public static Map<String, Object> approveProduction(Map<String, ?> args, StepEnvironment env) {
        checkKeys("approveProduction", args, Set.of("name", "version", "store", "ledger", "digest", "role", "rationale", "environment"));
        Path workspace = env.workspace();
        String approver = env.actor();
        try (ReleaseContext ctx = open(args, env);
             io.releasegate.commits.History history = io.releasegate.commits.History.open(workspace)) {
            String name = text(args, "name", null);
            String version = text(args, "version", null);
            io.releasegate.policy.Policy policy = policy(env, ctx, name, version, text(args, "environment", "production"));
            String commit = ctx.ledger().events(name + "@" + version).stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE))
                    .findFirst().flatMap(e -> e.text("commit")).orElse("HEAD");
            io.releasegate.approval.ApproveProduction.Result r = new io.releasegate.approval.ApproveProduction(policy, ctx.ledger(),
                    io.releasegate.approval.RoleDirectory.resolve(policy, workspace)).release(name, version)
                    .digest(io.releasegate.digest.Digest.parse(text(args, "digest", null))).approver(approver)
                    .role(text(args, "role", "")).rationale(text(args, "rationale", "")).environment(text(args, "environment", "production"))
                    .authors(io.releasegate.approval.ReleaseAuthors.of(history, commit, version)).call();
            return new LinkedHashMap<>(Map.of("satisfied", r.status().satisfied(), "status", r.status().describe()));
        }
    }

    /** Records a no-go decision (an aborted approval). */
    public static Map<String, Object> noGo(Map<String, ?> args, StepEnvironment env) {
        checkKeys("noGo", args, Set.of("name", "version", "store", "ledger", "digest", "reason", "environment"));
        try (ReleaseContext ctx = open(args, env)) {
            io.releasegate.ledger.Event e = io.releasegate.approval.ApproveProduction.recordDecision(ctx.ledger(),
                    text(args, "name", null) + "@" + text(args, "version", null), io.releasegate.digest.Digest.parse(text(args, "digest", null)),
                    env.actor(), false, text(args, "reason", "aborted"), text(args, "environment", "production"),
                    java.time.Clock.systemUTC());
            return new LinkedHashMap<>(Map.of("event", e.id()));
        }
    }

    /**
     * promoteDigest: {@code name, version, digest, to} [incident: a rollback to this previously promoted digest]
     * -> {@code reference, environment, rollback, alreadyThere}, under the admin's central policy (in Jenkins the
     * controller's configured policy, never a value from the Jenkinsfile).
     * <p>
     * With an emergency change: {@code emergency} ({@code reason, scope, rollbackPlan, followUps}) lets the
     * promotion through outside the change windows when complete by the policy, recorded as an {@code emergency-change}
     * event. Its approver is {@code emergencyApprover}: whoever submitted the emergency input, as the caller's own records
     * say, never a value from the map. The approver must hold one of the policy's approval roles, must not have authored
     * a change of the release and must not release it; their {@code emergency-approved} event is recorded with the
     * promotion, attested by this ledger's key (in Jenkins the controller's attestor key). -> also {@code emergency}
     * (the event id) when one was recorded.
     */
    public static Map<String, Object> promoteDigest(Map<String, ?> args, StepEnvironment env, Optional<String> emergencyApprover) {
        Path workspace = env.workspace();
        checkKeys("promoteDigest", args, Set.of("name", "version", "store", "ledger", "digest", "to", "incident", "emergency"));
        Optional<io.releasegate.promotion.EmergencyChange> emergency = Optional.empty();
        if (args.get("emergency") != null) {
            emergency = Optional.of(emergency(args.get("emergency"), emergencyApprover.filter(a -> !a.isBlank()).orElseThrow(() ->
                    new InputException("promoteDigest: an emergency change needs its approver: the user who submitted the "
                            + "emergency input"))));
        }
        try (ReleaseContext ctx = open(args, env)) {
            io.releasegate.policy.Policy policy = policy(env, ctx, text(args, "name", null), text(args, "version", null),
                    text(args, "to", ""));
            Object incident = args.get("incident");
            String subject = text(args, "name", null) + "@" + text(args, "version", null);
            io.releasegate.promotion.PromoteDigest promote = new io.releasegate.promotion.PromoteDigest(policy, ctx.store(), ctx.ledger())
                    .release(text(args, "name", null), text(args, "version", null))
                    .digest(io.releasegate.digest.Digest.parse(text(args, "digest", null))).to(text(args, "to", null)).actor(env.actor())
                    .rollback(incident == null ? Optional.empty() : Optional.of(incident.toString())).emergency(emergency);
            if (emergency.isPresent()) {
                // the approver must be allowed to approve the release, and is attested as whoever submitted the input
                String commit = ctx.ledger().events(subject).stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE))
                        .findFirst().flatMap(e -> e.text("commit")).orElse("HEAD");
                try (io.releasegate.commits.History history = io.releasegate.commits.History.open(workspace)) {
                    promote.roles(io.releasegate.approval.RoleDirectory.resolve(policy, workspace))
                            .authors(io.releasegate.approval.ReleaseAuthors.of(history, commit, text(args, "version", null)))
                            .attestEmergencyApproval(true);
                }
            }
            io.releasegate.promotion.PromoteDigest.Result r = promote.call();
            Map<String, Object> out = new LinkedHashMap<>(Map.of("reference", r.reference(), "environment", r.environment(),
                    "rollback", r.rollback(), "alreadyThere", r.alreadyThere()));
            if (emergency.isPresent() && !r.alreadyThere()) {
                ctx.ledger().events(subject).stream().filter(e -> e.id().equals(r.eventId())).findFirst()
                        .flatMap(e -> e.text("emergency")).ifPresent(id -> out.put("emergency", id));
            }
            return out;
        }
    }

    /** Fields of an emergency change a pipeline passes; the approver is never one of them. */
    public static final Set<String> EMERGENCY_ARGS = Set.of("reason", "scope", "rollbackPlan", "followUps");

    /** An emergency change from a pipeline's map ({@link #EMERGENCY_ARGS}; follow-ups a list, or lines of text). */
    static io.releasegate.promotion.EmergencyChange emergency(Object value, String approver) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new InputException("emergency must be a map of " + new TreeSet<>(EMERGENCY_ARGS));
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> fields = (Map<String, ?>) m;
        if (fields.containsKey("approver")) {
            throw new InputException("emergency: the approver is whoever submitted the emergency input, as recorded by the "
                    + "pipeline, never an argument");
        }
        checkKeys("emergency", fields, EMERGENCY_ARGS);
        List<String> followUps = new ArrayList<>();
        Object f = fields.get("followUps");
        if (f instanceof List<?> list) {
            list.forEach(x -> followUps.add(String.valueOf(x).strip()));
        } else if (f != null) {
            f.toString().lines().map(String::strip).forEach(followUps::add);
        }
        followUps.removeIf(String::isEmpty);
        return new io.releasegate.promotion.EmergencyChange(text(fields, "reason", "").strip(), approver, text(fields, "scope", "").strip(),
                text(fields, "rollbackPlan", "").strip(), followUps);
    }

    /** verify-production: {@code checks} (name -> shell command) run in the workspace -> {@code ok, problems}. */
    public static Map<String, Object> verifyProduction(Map<String, ?> args, StepEnvironment env) {
        checkKeys("verifyProduction", args, Set.of("name", "version", "store", "ledger", "checks", "timeoutSeconds"));
        try (ReleaseContext ctx = open(args, env)) {
            io.releasegate.verify.VerifyProduction v = new io.releasegate.verify.VerifyProduction(ctx.store(), ctx.ledger())
                    .release(text(args, "name", null), text(args, "version", null)).workdir(env.workspace()).actor(env.actor())
                    .timeout(java.time.Duration.ofSeconds(Long.parseLong(text(args, "timeoutSeconds", "300"))));
            if (args.get("checks") instanceof Map<?, ?> checks) {
                checks.forEach((k, cmd) -> v.check(String.valueOf(k), String.valueOf(cmd)));
            }
            io.releasegate.verify.VerifyProduction.Result r = v.call();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ok", r.ok());
            out.put("problems", new ArrayList<>(r.problems()));
            return out;
        }
    }

    /**
     * nextVersion: the next release version from the workspace's git history, optional {@code rev, branch,
     * scheme} (semver|calver) and {@code preRelease} -> {@code version, release, bump, reason, commits, previousTag?}.
     */
    public static Map<String, Object> nextVersion(Map<String, ?> args, StepEnvironment env) {
        checkKeys("nextVersion", args, Set.of("rev", "branch", "scheme", "preRelease"));
        String scheme = text(args, "scheme", "semver");
        io.releasegate.version.NextVersion.Scheme s = switch (scheme.toLowerCase(java.util.Locale.ROOT)) {
            case "semver" -> io.releasegate.version.NextVersion.Scheme.SEMVER;
            case "calver" -> io.releasegate.version.NextVersion.Scheme.CALVER;
            default -> throw new InputException("nextVersion: scheme must be semver or calver, not " + scheme);
        };
        try (io.releasegate.commits.History history = io.releasegate.commits.History.open(env.workspace())) {
            io.releasegate.version.NextVersion.Result r = new io.releasegate.version.NextVersion(history)
                    .rev(text(args, "rev", "HEAD")).branch(Optional.ofNullable(args.get("branch")).map(Object::toString))
                    .scheme(s).preRelease(Optional.ofNullable(args.get("preRelease")).map(Object::toString)).call();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("version", r.version());
            out.put("release", r.release());
            out.put("bump", r.bump().name().toLowerCase(java.util.Locale.ROOT));
            out.put("reason", r.reason());
            out.put("commits", r.commits().size());
            r.previousTag().ifPresent(t -> out.put("previousTag", t));
            return out;
        }
    }

    /**
     * releaseRecord: the release record of {@code name@version} projected from the ledger, optionally written
     * to {@code out} in the workspace -> {@code json} (the record, schema release-record v1), {@code digest} (built),
     * {@code promoted} (environment -> digest, the last promotion), {@code ledger}, {@code head}. Unknown release:
     * an input error.
     */
    public static Map<String, Object> releaseRecord(Map<String, ?> args, StepEnvironment env) {
        checkKeys("releaseRecord", args, Set.of("name", "version", "store", "ledger", "out"));
        String name = text(args, "name", null);
        String version = text(args, "version", null);
        try (ReleaseContext ctx = open(args, env)) {
            io.releasegate.record.ReleaseRecord record = io.releasegate.record.ReleaseRecordProjection.project(name, version,
                    ctx.ledger().events(), ctx.ledger().location(), ctx.ledger().head())
                    .orElseThrow(() -> new InputException("releaseRecord: " + name + "@" + version + " was not built"));
            String json = new io.releasegate.record.ReleaseRecords().write(record);
            if (args.get("out") != null) {
                Path target = env.workspace().resolve(args.get("out").toString());
                try {
                    java.nio.file.Files.createDirectories(target.toAbsolutePath().getParent());
                    java.nio.file.Files.writeString(target, json, java.nio.charset.StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    throw new InputException("cannot write the release record to " + target + ": " + e.getMessage(), e);
                }
            }
            Map<String, Object> promoted = new LinkedHashMap<>();
            for (io.releasegate.ledger.Event e : ctx.ledger().events(name + "@" + version)) {
                if (e.type().equals(io.releasegate.promotion.PromoteDigest.PROMOTED)) {
                    promoted.put(e.text("environment").orElse("?"), e.digest().map(Object::toString).orElse("?"));
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("json", json);
            out.put("digest", record.artifact().digest());
            out.put("promoted", promoted);
            out.put("ledger", ctx.ledger().location());
            out.put("head", ctx.ledger().head().orElse(""));
            return out;
        }
    }

    private static List<Path> files(Path workspace, Object value) {
        if (value == null) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        for (String spec : paths(value)) {
            if (io.releasegate.build.BuildInputs.isGlob(spec)) {
                List<Path> matches = io.releasegate.build.BuildInputs.glob(workspace, spec);
                if (matches.isEmpty()) {
                    throw new InputException("report glob '" + spec + "' matched no files in " + workspace);
                }
                out.addAll(matches);
            } else {
                out.add(workspace.resolve(spec));
            }
        }
        return out;
    }

    /**
     * The release signing key at {@code key}: a key file of any format the core reads, or a PKCS#11 URI; opened with the
     * step environment's passphrase or PIN, never a value from the map.
     */
    private static io.releasegate.signing.KeySigner releaseKey(StepEnvironment env, Path key) {
        return io.releasegate.signing.KeySigner.open(key.toString(), env.keySecrets());
    }

    /** Unknown arguments fail at once, listing the valid ones. */
    public static void checkKeys(String step, Map<String, ?> args, Set<String> valid) {
        Set<String> unknown = new TreeSet<>(args.keySet());
        unknown.removeAll(valid);
        if (!unknown.isEmpty()) {
            throw new InputException(step + ": unknown argument(s) " + unknown + "; valid: " + new TreeSet<>(valid));
        }
    }

    private static String text(Map<String, ?> args, String key, String fallback) {
        Object v = args.get(key);
        if (v == null) {
            if (fallback == null) {
                throw new InputException("argument '" + key + "' is required");
            }
            return fallback;
        }
        return v.toString();
    }

    private static List<String> paths(Object artifacts) {
        if (artifacts == null) {
            throw new InputException("argument 'artifacts' is required (a path or glob, or a list of them)");
        }
        if (artifacts instanceof List<?> list) {
            return list.stream().map(Object::toString).toList();
        }
        List<String> out = new ArrayList<>();
        for (String part : artifacts.toString().split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }
}
