package io.releasegate.steps;

import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.context.ReleaseContext;
import io.releasegate.error.InputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One entry point per pipeline step, each taking its typed arguments ({@code BuildOnceArgs}, …) and returning its typed
 * result ({@code BuildOnceResult}, …), so that the Jenkins plugin's steps and the shared-library tests call exactly the
 * same code: they reach these entry points through {@link Step#call}, which parses a pipeline's argument map
 * ({@code …Args.of}) and returns the result as plain values ({@link StepResult#toMap()}). Identity (the actor) and
 * secrets are passed by the caller from its own trusted source ({@link StepEnvironment}, the key parameters), never from
 * the arguments.
 */
public final class PipelineSteps {

    private PipelineSteps() {
    }

    /**
     * buildOnce: digests the {@code artifacts} (paths or globs in the workspace), publishes them as the OCI artifact
     * {@code name:version} and records a {@code built} event.
     */
    public static BuildOnceResult buildOnce(BuildOnceArgs args, StepEnvironment env) {
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            BuildResult r = new BuildOnce(ctx.store(), ctx.ledger())
                    .name(args.name()).version(args.version())
                    .workspace(env.workspace()).outputs(args.artifacts()).expectTargets(args.targets()).actor(env.actor())
                    .progress(env.progress()).call();
            return new BuildOnceResult(r);
        }
    }

    /** The evidence spine a step works on, from its store/ledger arguments (blank: embedded). */
    private static ReleaseContext open(String store, String ledger, StepEnvironment env) {
        return ReleaseContext.open(env.context(store, ledger));
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
     * generateSbom: the release's SBOMs in {@code formats} (CycloneDX and/or SPDX), each stored as an OCI referrer and
     * recorded, and written to the workspace files {@code out} (CycloneDX) and {@code spdxOut} (SPDX) when given.
     * {@code mavenRepo}: a Maven repository directory on the agent (e.g. {@code ~/.m2/repository}) where jars without
     * Maven metadata are identified by their exact bytes.
     */
    public static GenerateSbomResult generateSbom(GenerateSbomArgs args, StepEnvironment env) {
        Path workspace = env.workspace();
        Optional<io.releasegate.sbom.MavenRepositoryIndex> mavenRepo = args.mavenRepo()
                .map(r -> io.releasegate.sbom.MavenRepositoryIndex.of(workspace.resolve(r)));
        Map<io.releasegate.sbom.SbomFormat, Path> outputs = new LinkedHashMap<>();
        args.out().ifPresent(out -> outputs.put(io.releasegate.sbom.SbomFormat.CYCLONEDX, workspace.resolve(out)));
        args.spdxOut().ifPresent(out -> outputs.put(io.releasegate.sbom.SbomFormat.SPDX, workspace.resolve(out)));
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            io.releasegate.sbom.GenerateSbom.Result r = io.releasegate.sbom.GenerateSbom.call(ctx.store(), ctx.ledger(),
                    args.name(), args.version(), args.formats(), Optional.empty(),
                    io.releasegate.sbom.Limits.defaults(), mavenRepo, env.actor(), java.time.Clock.systemUTC());
            Map<Path, byte[]> files = new LinkedHashMap<>();
            outputs.forEach((format, path) -> files.put(path, r.document(format).orElseThrow().document().bytes()));
            io.releasegate.sbom.GenerateSbom.writeFiles(files);
            List<GenerateSbomResult.Document> documents = new ArrayList<>();
            for (var d : r.documents()) {
                documents.add(new GenerateSbomResult.Document(d.document().format(), d.document().digest(), d.referrer(), d.eventId()));
            }
            return new GenerateSbomResult(r.components(), r.warnings(), documents);
        }
    }

    /** sign: the release artifact with a key file or PKCS#11 URI (from the credentials store) and its public key. */
    public static EventResult sign(SignArgs args, StepEnvironment env, Path privateKey, Path publicKey) {
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            io.releasegate.ledger.Event e = io.releasegate.signing.ReleaseSignatures.sign(ctx.store(), ctx.ledger(),
                    args.name(), args.version(), releaseKey(env, privateKey),
                    io.releasegate.signing.KeySigner.publicKey(publicKey), env.actor(), java.time.Clock.systemUTC());
            return new EventResult(e.id());
        }
    }

    /**
     * sign in certificate mode: the release artifact signed with {@code privateKey}, which must be the key of the leaf
     * certificate in {@code certificate} (a PEM file: the leaf first, optionally followed by its issuing chain, or with
     * the chain in {@code chain}, intermediates first). The Sigstore bundle is stored as an OCI referrer of the release
     * and a {@code signed} event records it.
     */
    public static CertificateSignResult signWithCertificate(SignArgs args, StepEnvironment env, Path privateKey, Path certificate,
                                                            Optional<Path> chain) {
        List<java.security.cert.X509Certificate> certs = io.releasegate.signing.SigningCertificates.read(certificate);
        List<java.security.cert.X509Certificate> chainCerts = chain.isPresent()
                ? io.releasegate.signing.SigningCertificates.read(chain.get()) : certs.subList(1, certs.size());
        io.releasegate.signing.CertificateSigner signer = new io.releasegate.signing.CertificateSigner(
                releaseKey(env, privateKey), certs.get(0), chainCerts, Optional.empty());
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            io.releasegate.ledger.Event e = io.releasegate.signing.ReleaseSignatures.signWithCertificate(ctx.store(), ctx.ledger(),
                    args.name(), args.version(), signer, env.actor(), java.time.Clock.systemUTC());
            return new CertificateSignResult(e.id(), e.payload().path("identity").asText(),
                    e.payload().hasNonNull("issuer") ? Optional.of(e.payload().path("issuer").asText()) : Optional.empty(),
                    e.payload().path("reference").asText(), e.payload().path("bundleDigest").asText());
        }
    }

    /**
     * verifySignatures: fails closed (a refusal) unless the release's signatures verify with the public key and
     * its stored provenance attestation, read back from the store by digest, verifies for the built digest with
     * the same key. Both outcomes are recorded.
     */
    public static VerifySignaturesResult verifySignatures(VerifySignaturesArgs args, StepEnvironment env, Path publicKey) {
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            java.security.PublicKey key = io.releasegate.signing.KeySigner.publicKey(publicKey);
            io.releasegate.verify.VerifyRelease.Result r = new io.releasegate.verify.VerifyRelease(ctx.store(), ctx.ledger())
                    .release(args.name(), args.version()).key(key).requireProvenance(true).actor(env.actor())
                    .clock(java.time.Clock.systemUTC()).call();
            io.releasegate.ledger.Event e = r.signature();
            io.releasegate.ledger.Event p = r.provenance().orElseThrow();
            return new VerifySignaturesResult(e.id(), p.id());
        }
    }

    /**
     * verifySignatures in certificate mode, like {@code cosign verify-blob --certificate-identity[-regexp] ...
     * --certificate-oidc-issuer ...}: {@code certificateIdentity} (exact) or {@code certificateIdentityRegexp} (the whole
     * SAN must match), {@code certificateOidcIssuer}, and {@code trustRoot} (a Sigstore {@code trusted_root.json} or a PEM
     * bundle of CA certificates). A stored bundle of the release must verify for that policy and trust root, and the
     * stored provenance must verify with the key of the certificate that did. A missing identity, issuer or trust root is
     * an input error naming each; a failed check is a refusal naming the check (certificate.identity, certificate.issuer,
     * certificate.untrusted, ...). Both outcomes are recorded.
     */
    public static CertificateVerifyResult verifySignaturesWithCertificate(VerifyCertificateArgs args, StepEnvironment env,
                                                                          Optional<Path> trustRoot) {
        String identity = args.certificateIdentity().orElse("");
        String regexp = args.certificateIdentityRegexp().orElse("");
        String issuer = args.certificateOidcIssuer().orElse("");
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
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            io.releasegate.verify.VerifyRelease.Result r = new io.releasegate.verify.VerifyRelease(ctx.store(), ctx.ledger())
                    .release(args.name(), args.version()).certificate(policy, root).requireProvenance(true).actor(env.actor())
                    .clock(java.time.Clock.systemUTC()).call();
            io.releasegate.ledger.Event e = r.signature();
            io.releasegate.ledger.Event p = r.provenance().orElseThrow();
            return new CertificateVerifyResult(e.payload().path("identity").asText(), issuer, e.id(), p.id());
        }
    }

    /**
     * plan: what a run on {@code branch} does and under which version ({@link io.releasegate.version.PipelinePlan}), and
     * the approvals the policy asks for. A branch that breaks the branch rules, or an incomplete emergency record, is a
     * refusal.
     */
    public static PlanResult plan(PlanArgs args, StepEnvironment env) {
        io.releasegate.policy.Policy policy = policy(env);
        if (args.emergency().isPresent()) {
            // refused before any stage: the same completeness rule promoteDigest applies; the approver is still to come
            // (whoever submits the emergency input), so it is not asked for here
            List<String> missing = new ArrayList<>(args.emergency().get().change("pending").missing(policy.emergency().requires()));
            if (!missing.isEmpty()) {
                throw new io.releasegate.error.RefusedException(new io.releasegate.error.Refusal("emergency.incomplete",
                        "the emergency record lacks " + missing, "complete the emergency record: " + policy.emergency().requires()));
            }
        }
        try (io.releasegate.commits.History history = io.releasegate.commits.History.open(env.workspace())) {
            io.releasegate.version.PipelinePlan.Result r = new io.releasegate.version.PipelinePlan(history)
                    .branch(args.branch()).changeRequest(args.changeRequest()).version(args.version()).call();
            return new PlanResult(r, args.emergency().isPresent(), policy.approvals());
        }
    }

    /**
     * libraryCheck: refuses ({@code promote.library-unpinned}) a pipeline library loaded from a moving ref
     * unless the policy allows it; the same rule promoteDigest applies to the last environment.
     */
    public static LibraryCheckResult libraryCheck(LibraryCheckArgs args, StepEnvironment env) {
        io.releasegate.policy.Policy policy = policy(env);
        String ref = args.libraryVersion();
        io.releasegate.provenance.LibraryRef.check(policy, args.libraryName(), ref).ifPresent(r -> {
            throw new io.releasegate.error.RefusedException(r);
        });
        return new LibraryCheckResult(io.releasegate.provenance.LibraryRef.pinned(ref));
    }

    /**
     * tag: the signed annotated release tag on the built commit ({@link io.releasegate.tag.TagRelease}), pushed to
     * {@code remote} when given. A release already tagged by its pipeline (a {@code tagged} event, and the tag on the
     * built commit) is reported {@code unchanged}; any other existing tag is refused, never moved.
     */
    public static TagResult tagRelease(TagArgs args, StepEnvironment env, Path armoredKey, char[] passphrase,
                                       io.releasegate.tag.RemoteAccess access) {
        String actor = env.actor();
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env.credentials(Optional.empty()));
             io.releasegate.commits.History history = io.releasegate.commits.History.open(env.workspace())) {
            String name = args.name();
            String version = args.version();
            String tag = "v" + io.releasegate.version.SemVer.parse(version);
            Optional<io.releasegate.ledger.Event> tagged = ctx.ledger().events(name + "@" + version).stream()
                    .filter(e -> e.type().equals(io.releasegate.tag.TagRelease.EVENT_TYPE)).reduce((a, b) -> b);
            if (tagged.isPresent()) {
                Optional<String> local = history.releaseTags().stream().filter(t -> t.name().equals(tag))
                        .map(io.releasegate.commits.History.ReleaseTag::commit).findFirst();
                if (local.isPresent() && local.get().equals(tagged.get().text("commit").orElse(""))) {
                    return new TagResult(tag, local.get(), TagResult.Outcome.UNCHANGED, false);
                }
            }
            io.releasegate.tag.TagRelease.Result r = new io.releasegate.tag.TagRelease(history, ctx.ledger()).name(name).version(version)
                    .branch(args.branch())
                    .signer(io.releasegate.signing.OpenPgpSigner.fromArmoredSecretKey(armoredKey, passphrase))
                    .actor(actor, actor.replaceAll("[^A-Za-z0-9._-]", "_") + "@release-gate")
                    .remote(args.remote())
                    .access(access).call();
            return new TagResult(r.tag(), r.commit(), TagResult.Outcome.TAGGED, r.pushed());
        }
    }

    /** approvalStatus: the approvals recorded for the digest against the policy. */
    public static ApprovalResult approvalStatus(ApprovalStatusArgs args, StepEnvironment env) {
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            io.releasegate.policy.Policy policy = policy(env, ctx, args.name(), args.version(), args.environment());
            io.releasegate.approval.ApprovalStatus st = io.releasegate.approval.ApprovalStatus.of(policy,
                    ctx.ledger().events(args.name() + "@" + args.version()), args.digest(), args.environment());
            return new ApprovalResult(st);
        }
    }

    /** provenance: SLSA v1 in DSSE for the release, signed with the release key, stored and recorded. */
    public static ProvenanceResult provenance(ProvenanceArgs args, StepEnvironment env, Path privateKey) {
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            java.time.Instant now = java.time.Instant.now();
            io.releasegate.provenance.Provenance.generate(ctx.store(), ctx.ledger(), args.name(), args.version(),
                    new io.releasegate.provenance.Provenance.Build(args.repository(), args.ref(),
                            args.jenkinsfile(), args.libraryName(),
                            args.libraryVersion(), Optional.empty(), args.builderId(),
                            args.invocationId(), now, now),
                    releaseKey(env, privateKey), "release-key", env.actor(), java.time.Clock.systemUTC());
            return new ProvenanceResult(io.releasegate.provenance.Provenance.PREDICATE);
        }
    }

    /** gate: reports relative to the workspace -> the decision's summary; a failing gate is a refusal. */
    public static GateResult gate(GateArgs args, StepEnvironment env) {
        Path workspace = env.workspace();
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            String name = args.name();
            String version = args.version();
            io.releasegate.policy.Policy policy = policy(env, ctx, name, version, args.environment());
            io.releasegate.digest.Digest digest = ctx.ledger().events(name + "@" + version).stream()
                    .filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst().flatMap(io.releasegate.ledger.Event::digest)
                    .orElseThrow(() -> new InputException("gate: " + name + "@" + version + " was not built"));
            io.releasegate.gates.EvaluateGates g = new io.releasegate.gates.EvaluateGates(policy, ctx.ledger())
                    .release(name, version, digest)
                    .sarif(files(workspace, args.sarif())).vulnerabilities(files(workspace, args.vulns()))
                    .sbom(files(workspace, args.sbom())).junit(files(workspace, args.junit()))
                    .exceptions(io.releasegate.gates.PolicyException.loadAll(workspace.resolve(policy.exceptions().directory())))
                    .context(name, args.branch(), args.environment()).actor(env.actor())
                    .bypassApprovers(io.releasegate.gates.GateBypasses.Approvers.of(policy, workspace,
                            ctx.ledger().events(name + "@" + version), version));
            // the release-scope gates run where the policy requires them, on the checkout (the built commit's scope)
            if (io.releasegate.scope.ScopeFindings.required(policy)) {
                g.scope(workspace).store(ctx.store());
            }
            args.notApplicable().forEach(g::notApplicable);
            io.releasegate.gates.EvaluateGates.Decision d = g.call();
            if (!d.pass()) {
                throw new io.releasegate.error.RefusedException(new io.releasegate.error.Refusal("gates.failed", d.summary(),
                        "fix the blocking findings or cover them with valid exceptions"));
            }
            return new GateResult(d.summary());
        }
    }

    /**
     * approveProduction: one approval by the environment's actor — the identity Jenkins recorded for whoever
     * submitted the input, never a value from the Jenkinsfile.
     */
    public static ApprovalResult approveProduction(ApproveProductionArgs args, StepEnvironment env) {
        Path workspace = env.workspace();
        String approver = env.actor();
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env);
             io.releasegate.commits.History history = io.releasegate.commits.History.open(workspace)) {
            String name = args.name();
            String version = args.version();
            io.releasegate.policy.Policy policy = policy(env, ctx, name, version, args.environment());
            String commit = ctx.ledger().events(name + "@" + version).stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE))
                    .findFirst().flatMap(e -> e.text("commit")).orElse("HEAD");
            io.releasegate.approval.ApproveProduction.Result r = new io.releasegate.approval.ApproveProduction(policy, ctx.ledger(),
                    io.releasegate.approval.RoleDirectory.resolve(policy, workspace)).release(name, version)
                    .digest(args.digest()).approver(approver)
                    .role(args.role()).rationale(args.rationale()).environment(args.environment())
                    .authors(setAuthors(env, ctx, name, version, io.releasegate.approval.ReleaseAuthors.of(history, commit, version)))
                    .call();
            return new ApprovalResult(r.status());
        }
    }

    /** Records a no-go decision (an aborted approval) by the environment's actor. */
    public static EventResult noGo(NoGoArgs args, StepEnvironment env) {
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            io.releasegate.ledger.Event e = io.releasegate.approval.ApproveProduction.recordNoGo(ctx.ledger(),
                    args.name() + "@" + args.version(), args.digest(), env.actor(), args.reason(), args.environment(),
                    java.time.Clock.systemUTC(), () -> policy(env, ctx, args.name(), args.version(), args.environment()));
            return new EventResult(e.id());
        }
    }

    /**
     * promoteDigest: the digest into environment {@code to} (a rollback to this previously promoted digest when
     * {@code incident} is given), under the policy of the decision (for production the one committed at the built
     * commit, or the admin's central policy: in Jenkins the controller's configured policy, never a value from the
     * Jenkinsfile).
     * <p>
     * With an emergency change: {@code emergency} ({@code reason, scope, rollbackPlan, followUps}) lets the
     * promotion through outside the change windows when complete by the policy, recorded as an {@code emergency-change}
     * event. Its approver is {@code emergencyApprover}: whoever submitted the emergency input, as the caller's own records
     * say, never a value from the arguments. The approver must hold one of the policy's approval roles, must not have
     * authored a change of the release and must not release it; their {@code emergency-approved} event is recorded with
     * the promotion, attested by this ledger's key (in Jenkins the controller's attestor key). The result names the
     * {@code emergency-change} event when one was recorded.
     */
    public static PromoteDigestResult promoteDigest(PromoteDigestArgs args, StepEnvironment env, Optional<String> emergencyApprover) {
        Path workspace = env.workspace();
        Optional<io.releasegate.promotion.EmergencyChange> emergency = Optional.empty();
        if (args.emergency().isPresent()) {
            emergency = Optional.of(args.emergency().get().change(emergencyApprover.filter(a -> !a.isBlank()).orElseThrow(() ->
                    new InputException("promoteDigest: an emergency change needs its approver: the user who submitted the "
                            + "emergency input"))));
        }
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            if (io.releasegate.manifest.ReleaseManifest.built(ctx.ledger().events(args.name() + "@" + args.version())).isPresent()) {
                return promoteSet(args, env, ctx);
            }
            io.releasegate.policy.Policy policy = policy(env, ctx, args.name(), args.version(), args.to());
            String subject = args.name() + "@" + args.version();
            io.releasegate.promotion.PromoteDigest promote = new io.releasegate.promotion.PromoteDigest(policy, ctx.store(), ctx.ledger())
                    .release(args.name(), args.version())
                    .digest(args.digest()).to(args.to()).actor(env.actor())
                    .rollback(args.incident()).emergency(emergency);
            if (emergency.isPresent()) {
                // the approver must be allowed to approve the release, and is attested as whoever submitted the input
                String commit = ctx.ledger().events(subject).stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE))
                        .findFirst().flatMap(e -> e.text("commit")).orElse("HEAD");
                try (io.releasegate.commits.History history = io.releasegate.commits.History.open(workspace)) {
                    promote.roles(io.releasegate.approval.RoleDirectory.resolve(policy, workspace))
                            .authors(io.releasegate.approval.ReleaseAuthors.of(history, commit, args.version()))
                            .attestEmergencyApproval(true);
                }
            }
            io.releasegate.promotion.PromoteDigest.Result r = promote.call();
            Optional<String> recorded = Optional.empty();
            if (emergency.isPresent() && !r.alreadyThere()) {
                recorded = ctx.ledger().events(subject).stream().filter(e -> e.id().equals(r.eventId())).findFirst()
                        .flatMap(e -> e.text("emergency"));
            }
            return new PromoteDigestResult(r, recorded);
        }
    }

    /**
     * Where the golden pipeline's manifest mode checks out each member's repository in the workspace
     * ({@code MEMBER_CHECKOUTS/NAME}, at the member's built commit): a set's decisions take each member's committed policy,
     * role holders and authors from there.
     */
    public static final String MEMBER_CHECKOUTS = "release-gate/members";

    /**
     * A release manifest's promotion ({@link io.releasegate.manifest.PromoteSet}, as {@code release-gate promote} does):
     * every member's digest into {@code to}, each under its own rules, or none; the set's rules under the workspace's
     * (the platform repository's) governance, each member's under its checkout's ({@link #MEMBER_CHECKOUTS}). A set
     * goes out inside a change window: an emergency change is refused (an emergency goes member by member).
     */
    private static PromoteDigestResult promoteSet(PromoteDigestArgs args, StepEnvironment env, ReleaseContext ctx) {
        String name = args.name();
        String version = args.version();
        if (args.emergency().isPresent()) {
            throw new InputException("promoteDigest: " + name + "@" + version + " is a release manifest: a set goes out inside a "
                    + "change window; promote the member that needs it alone as an emergency change");
        }
        io.releasegate.manifest.PromoteSet.Result r = new io.releasegate.manifest.PromoteSet(ctx.store(), ctx.ledger())
                .release(name, version).digest(args.digest()).to(args.to()).actor(env.actor())
                .governance(s -> setGovernance(env, ctx, name, s, args.to())).rollback(args.incident()).call();
        io.releasegate.promotion.PromoteDigest.Result own = new io.releasegate.promotion.PromoteDigest.Result(r.environment(),
                r.digest(), io.releasegate.store.OciNames.repository(name + "/" + r.environment()) + ":"
                + io.releasegate.store.OciNames.tagForVersion(version), r.rollback(), r.alreadyThere(), r.eventId());
        return new PromoteDigestResult(own, Optional.empty(), r.members());
    }

    /** The governance of one subject of a set promotion: the set's from the workspace, each member's from its checkout. */
    private static io.releasegate.manifest.PromoteSet.Governance setGovernance(StepEnvironment env, ReleaseContext ctx, String setName,
                                                                              String subject, String environment) {
        String service = subject.substring(0, subject.lastIndexOf('@'));
        String version = subject.substring(subject.lastIndexOf('@') + 1);
        Path dir = service.equals(setName) ? env.workspace() : memberCheckout(env, service);
        io.releasegate.policy.Policy p = new io.releasegate.policy.PolicyResolver(dir).builtCommit(builtCommit(ctx, subject))
                .environment(environment).central(env.central()).call();
        return new io.releasegate.manifest.PromoteSet.Governance(p, io.releasegate.approval.RoleDirectory.resolve(p, dir),
                authors(ctx, subject, version, dir));
    }

    /**
     * The authors of a release ({@code own}, from the workspace); for a release manifest, with every member's (from its
     * checkout), so that nobody who wrote a member approves the set.
     */
    private static java.util.Set<String> setAuthors(StepEnvironment env, ReleaseContext ctx, String name, String version,
                                                    java.util.Set<String> own) {
        String subject = name + "@" + version;
        List<io.releasegate.ledger.Event> events = ctx.ledger().events(subject);
        if (io.releasegate.manifest.ReleaseManifest.built(events).isEmpty()) {
            return own;
        }
        java.util.Set<String> all = new java.util.HashSet<>(own);
        for (io.releasegate.manifest.ReleaseManifest.Member m
                : io.releasegate.manifest.ReleaseManifest.read(ctx.store(), subject, events).members()) {
            all.addAll(authors(ctx, m.subject(), m.version(), memberCheckout(env, m.name())));
        }
        return all;
    }

    /** The authors and committers of a release's changes, from the history of {@code dir} at its built commit. */
    private static java.util.Set<String> authors(ReleaseContext ctx, String subject, String version, Path dir) {
        Optional<String> commit = builtCommit(ctx, subject);
        if (commit.isEmpty()) {
            return java.util.Set.of();
        }
        try (io.releasegate.commits.History h = io.releasegate.commits.History.open(dir)) {
            return io.releasegate.approval.ReleaseAuthors.of(h, commit.get(), version);
        }
    }

    private static Optional<String> builtCommit(ReleaseContext ctx, String subject) {
        return ctx.ledger().events(subject).stream().filter(e -> e.type().equals(BuildOnce.EVENT_TYPE)).findFirst()
                .flatMap(e -> e.text("commit"));
    }

    /** A set member's checkout in the workspace ({@link #MEMBER_CHECKOUTS}); none: an input error saying what to do. */
    private static Path memberCheckout(StepEnvironment env, String member) {
        Path dir = env.workspace().resolve(MEMBER_CHECKOUTS).resolve(member).normalize();
        if (!dir.startsWith(env.workspace().resolve(MEMBER_CHECKOUTS).normalize()) || !java.nio.file.Files.exists(dir.resolve(".git"))) {
            throw new InputException("the set's member " + member + " has no checkout at " + MEMBER_CHECKOUTS + "/" + member
                    + " in the workspace: check out its repository there at its built commit (the golden pipeline's manifest "
                    + "mode does, from its repositories option), so that the policy committed with its source, its role "
                    + "holders and its authors decide");
        }
        return dir;
    }

    /**
     * manifestCreate: the release manifest {@code name@version} of the members ({@link io.releasegate.manifest.CreateManifest}),
     * given or read from the committed set file ({@link io.releasegate.manifest.SetFile}), the workspace's HEAD recorded
     * with it. The same members again: the same manifest ({@code unchanged}); other members under a built version are
     * refused ({@code build.immutable-version}), as is a member that was not built ({@code manifest.member-not-built}).
     */
    public static ManifestResult manifestCreate(ManifestCreateArgs args, StepEnvironment env) {
        String version;
        List<String> members;
        if (args.members().isEmpty()) {
            io.releasegate.manifest.SetFile file = io.releasegate.manifest.SetFile.read(env.workspace(), args.file());
            version = file.version();
            members = file.members();
        } else {
            version = args.version().orElseThrow();
            members = args.members();
        }
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            io.releasegate.manifest.CreateManifest.Result r = new io.releasegate.manifest.CreateManifest(ctx.store(), ctx.ledger())
                    .name(args.name()).version(version).members(members).actor(env.actor())
                    .commit(BuildOnce.gitHead(env.workspace())).call();
            return new ManifestResult(r.manifest(), r.build().digest(), Optional.of(r.build()), policy(env).approvals());
        }
    }

    /** manifestShow: the release manifest {@code name@version} read back from the store, checked against its built event. */
    public static ManifestResult manifestShow(ManifestShowArgs args, StepEnvironment env) {
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            String subject = args.name() + "@" + io.releasegate.version.SemVer.parse(args.version());
            List<io.releasegate.ledger.Event> events = ctx.ledger().events(subject);
            if (io.releasegate.manifest.ReleaseManifest.built(events).isEmpty()) {
                throw new InputException("manifestShow: " + subject + " is not a release manifest (no believed 'built' event of one in "
                        + ctx.ledger().location() + ")");
            }
            io.releasegate.manifest.ReleaseManifest m = io.releasegate.manifest.ReleaseManifest.read(ctx.store(), subject, events);
            return new ManifestResult(m, io.releasegate.manifest.ReleaseManifest.built(events).orElseThrow().digest().orElseThrow(),
                    Optional.empty(), policy(env).approvals());
        }
    }

    /**
     * manifestTest: the integration test of exactly the set {@code name@version} = {@code digest}, from its JUnit XML
     * report in the workspace ({@link io.releasegate.manifest.RecordIntegration}), recorded whatever its outcome. A run
     * that did not pass (a failure, or no test at all) is then a refusal ({@code promote.evidence-integration}, the rule
     * production applies to the set); another digest than the set's is refused ({@code promote.digest-mismatch}).
     */
    public static ManifestTestResult manifestTest(ManifestTestArgs args, StepEnvironment env) {
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            String subject = args.name() + "@" + io.releasegate.version.SemVer.parse(args.version());
            io.releasegate.manifest.RecordIntegration.Result r = io.releasegate.manifest.RecordIntegration.record(ctx.store(),
                    ctx.ledger(), subject, args.digest(), env.workspace().resolve(args.junit()), env.actor(), java.time.Clock.systemUTC());
            if (!r.pass()) {
                throw new io.releasegate.error.RefusedException(new io.releasegate.error.Refusal("promote.evidence-integration",
                        "the integration test of the set " + subject + " (" + args.digest() + ") did not pass: " + r.summary()
                                + " (recorded as event " + r.eventId() + ")",
                        "fix the members or the tests; a fixed member is a new member version, so a new set version, tested again"));
            }
            return new ManifestTestResult(r);
        }
    }

    /** verify-production: the production tag names the promoted digest and the {@code checks} pass in the workspace. */
    public static VerifyProductionResult verifyProduction(VerifyProductionArgs args, StepEnvironment env) {
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            io.releasegate.verify.VerifyProduction v = new io.releasegate.verify.VerifyProduction(ctx.store(), ctx.ledger())
                    .release(args.name(), args.version()).workdir(env.workspace()).actor(env.actor())
                    .timeout(args.timeout());
            args.checks().forEach(v::check);
            return new VerifyProductionResult(v.call());
        }
    }

    /** nextVersion: the next release version from the workspace's git history. */
    public static NextVersionResult nextVersion(NextVersionArgs args, StepEnvironment env) {
        try (io.releasegate.commits.History history = io.releasegate.commits.History.open(env.workspace())) {
            return new NextVersionResult(new io.releasegate.version.NextVersion(history)
                    .rev(args.rev()).branch(args.branch())
                    .scheme(args.scheme()).preRelease(args.preRelease()).call());
        }
    }

    /**
     * releaseRecord: the release record of {@code name@version} projected from the ledger, optionally written
     * to {@code out} in the workspace, with the digest each environment was last promoted to. Unknown release:
     * an input error.
     */
    public static ReleaseRecordResult releaseRecord(ReleaseRecordArgs args, StepEnvironment env) {
        String name = args.name();
        String version = args.version();
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            io.releasegate.record.ReleaseRecord record = io.releasegate.record.ReleaseRecordProjection.project(name, version,
                    ctx.ledger().events(), ctx.ledger().location(), ctx.ledger().head())
                    .orElseThrow(() -> new InputException("releaseRecord: " + name + "@" + version + " was not built"));
            String json = new io.releasegate.record.ReleaseRecords().write(record);
            if (args.out().isPresent()) {
                io.releasegate.files.AtomicFile.write(env.workspace().resolve(args.out().get()),
                        json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            Map<String, String> promoted = new LinkedHashMap<>();
            for (io.releasegate.ledger.Event e : ctx.ledger().events(name + "@" + version)) {
                if (e.type().equals(io.releasegate.promotion.PromoteDigest.PROMOTED)) {
                    promoted.put(e.text("environment").orElse("?"), e.digest().map(Object::toString).orElse("?"));
                }
            }
            return new ReleaseRecordResult(record, json, promoted, ctx.ledger().location(), ctx.ledger().head());
        }
    }

    /**
     * evidence: the offline-verifiable evidence bundle of {@code name@version} ({@link io.releasegate.evidence.EvidenceExport}),
     * its index signed with the release key, written whole to {@code out} in the workspace. Missing evidence does not
     * stop the export: the index and the result name it.
     */
    public static EvidenceResult evidence(EvidenceArgs args, StepEnvironment env, Path releaseKey) {
        io.releasegate.signing.KeySigner signer = releaseKey(env, releaseKey);
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            Optional<Path> tagRepo = java.nio.file.Files.exists(env.workspace().resolve(".git")) ? Optional.of(env.workspace())
                    : Optional.empty();
            io.releasegate.evidence.EvidenceExport.Exported exported = new io.releasegate.evidence.EvidenceExport(ctx.store(),
                    ctx.ledger()).release(args.name(), args.version()).repository(tagRepo).signer(signer).call();
            byte[] archive = exported.archive();
            io.releasegate.files.AtomicFile.write(env.workspace().resolve(args.out()), archive);
            return EvidenceResult.of(args.out(), io.releasegate.digest.Digester.of(archive).hex(), archive.length,
                    exported.index());
        }
    }

    /**
     * audit: one release as an auditor sees it ({@link io.releasegate.verify.ReleaseAudit}): its events that are not
     * believed, and whether what the ledger recorded still verifies against the store today; approvers are checked
     * against the authors of the workspace's history. Reads only; an unknown release is an input error.
     */
    public static AuditResult audit(AuditArgs args, StepEnvironment env) {
        io.releasegate.policy.Policy policy = policy(env);
        List<io.releasegate.policy.Policy.Environment> envs = policy.environments();
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            List<io.releasegate.ledger.Ledger.Entry> entries = ctx.ledger().entries();
            String subject = args.name() + "@" + io.releasegate.version.SemVer.parse(args.version());
            List<io.releasegate.verify.ReleaseAudit.Finding> findings = new ArrayList<>();
            for (io.releasegate.ledger.Ledger.Entry en : entries) {
                if (en.event().subject().equals(subject)
                        && en.verification() instanceof io.releasegate.ledger.Verification.Rejected no) {
                    findings.add(new io.releasegate.verify.ReleaseAudit.Finding(subject, new io.releasegate.error.Refusal(
                            no.rule(), "'" + en.event().type() + "' (event " + en.event().id() + ") by " + en.event().actor()
                            + " is not believed: " + no.reason(), "find who wrote it; only signed events count")));
                }
            }
            boolean[] authorsChecked = {false};
            List<io.releasegate.verify.ReleaseAudit.Report> reports;
            try (io.releasegate.commits.History history = java.nio.file.Files.exists(env.workspace().resolve(".git"))
                    ? io.releasegate.commits.History.open(env.workspace()) : null) {
                reports = io.releasegate.verify.ReleaseAudit.of(ctx.store(), ctx.ledger().trust().revoked(),
                        io.releasegate.verify.ReleaseAudit.believed(entries), subject::equals, envs.get(envs.size() - 1).name(),
                        built -> {
                            Optional<java.util.Set<String>> authors = io.releasegate.verify.ReleaseAudit.authors(
                                    Optional.ofNullable(history), built);
                            authorsChecked[0] = authors.isPresent();
                            return authors;
                        });
            }
            if (reports.isEmpty()) {
                throw new InputException("audit: " + subject + " was not built (no believed 'built' event in "
                        + ctx.ledger().location() + "); give the name and version of a release that buildOnce recorded");
            }
            findings.addAll(reports.get(0).findings());
            return new AuditResult(reports.get(0), findings, authorsChecked[0]);
        }
    }

    /**
     * recordRun: the pipeline run's outcome (branch, result, duration, stage durations) as a {@code pipeline-finished}
     * event, signed as the CI identity's: what the delivery report's CI pass rate is computed from.
     */
    public static EventResult recordRun(RecordRunArgs args, StepEnvironment env) {
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            return new EventResult(args.run().record(ctx.ledger(), env.actor(), java.time.Clock.systemUTC()).id());
        }
    }

    /**
     * report: the delivery report of the whole ledger ({@link io.releasegate.report.DeliveryReport}) for the months asked,
     * with lead time from the first commit for releases built from {@code repos} (default: the workspace's repository)
     * and the feature flags past their removal date in their registries (scope.flagRegistry), written as {@code report.json} and {@code report.html} into {@code out} in the workspace. Reads only.
     */
    public static ReportResult report(ReportArgs args, StepEnvironment env) {
        io.releasegate.policy.Policy policy = policy(env);
        List<String> repos = args.repos().isEmpty() && java.nio.file.Files.exists(env.workspace().resolve(".git"))
                ? List.of(".") : args.repos();
        List<io.releasegate.commits.History> histories = new ArrayList<>();
        try (ReleaseContext ctx = open(args.store(), args.ledger(), env)) {
            for (String r : repos) {
                histories.add(io.releasegate.commits.History.open(env.workspace().resolve(r)));
            }
            com.fasterxml.jackson.databind.node.ObjectNode doc = new io.releasegate.report.DeliveryReports(ctx.ledger())
                    .months(args.from(), args.to())
                    .environments(policy)
                    .hotfixDays(args.hotfixDays()).commits(io.releasegate.report.CommitTimes.of(histories))
                    .flags(flagHealth(repos, histories, policy.scope().flagRegistry())).call();
            io.releasegate.report.DeliveryReports.Written w = io.releasegate.report.DeliveryReports.write(
                    env.workspace().resolve(args.out()), doc);
            return new ReportResult(w.json(), w.html(), doc);
        } finally {
            histories.forEach(io.releasegate.commits.History::close);
        }
    }

    /** The flags past their removal date in each repository's registry, as its HEAD has it. */
    private static List<io.releasegate.report.FlagHealth> flagHealth(List<String> names, List<io.releasegate.commits.History> histories,
                                                                     String registry) {
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        List<io.releasegate.report.FlagHealth> out = new ArrayList<>();
        for (int i = 0; i < histories.size(); i++) {
            out.add(io.releasegate.report.FlagHealth.of(names.get(i), histories.get(i), registry, today));
        }
        return out;
    }

    /** The report files of {@code specs} (paths, or globs that must match) in the workspace. */
    private static List<Path> files(Path workspace, List<String> specs) {
        List<Path> out = new ArrayList<>();
        for (String spec : specs) {
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
     * step environment's passphrase or PIN, never a value from the arguments.
     */
    private static io.releasegate.signing.KeySigner releaseKey(StepEnvironment env, Path key) {
        return io.releasegate.signing.KeySigner.open(key.toString(), env.keySecrets());
    }
}
