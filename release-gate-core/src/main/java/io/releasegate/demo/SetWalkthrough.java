package io.releasegate.demo;

import io.releasegate.approval.ApproveProduction;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.context.ReleaseContext;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import io.releasegate.gates.EvaluateGates;
import io.releasegate.manifest.CreateManifest;
import io.releasegate.manifest.PromoteSet;
import io.releasegate.manifest.RecordIntegration;
import io.releasegate.policy.ChangeWindows;
import io.releasegate.policy.Policy;
import io.releasegate.provenance.Provenance;
import io.releasegate.sbom.GenerateSbom;
import io.releasegate.sbom.Limits;
import io.releasegate.sbom.SbomFormat;
import io.releasegate.signing.KeySigner;
import io.releasegate.signing.ReleaseSignatures;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * The demo's release manifest: the sample's service and a second one ({@value #SECOND}, built, signed, with SBOMs,
 * provenance and gates like any release) pinned as the set {@value #SET}, integration-tested as that set, approved by
 * its digest, and promoted together through every environment; into production only inside the change window (a set
 * has no emergency path: the refusal is shown instead).
 */
public final class SetWalkthrough {

    public static final String SECOND = "notifier";
    public static final String SET = "platform";
    public static final String SET_VERSION = "2026.12.0";

    private final ReleaseContext.Options options;
    private final DemoTrust trust;
    private final Path project;
    private final Policy policy;
    private final Set<String> authors;
    private final BiConsumer<String, String> step;

    public SetWalkthrough(ReleaseContext.Options options, DemoTrust trust, Path project, Policy policy, Set<String> authors,
                          BiConsumer<String, String> step) {
        this.options = options;
        this.trust = trust;
        this.project = project;
        this.policy = policy;
        this.authors = Set.copyOf(authors);
        this.step = step;
    }

    /** Walks the set; {@code first} is the sample's release ({@code name@version}), already in production. */
    public void run(ReleaseContext ctx, String firstName, String firstVersion, KeySigner releaseSigner, PublicKey publicKey) {
        Clock clock = Clock.systemUTC();
        try {
            Path dir = project.resolve("target/" + SECOND);
            Files.createDirectories(dir);
            jar(dir.resolve(SECOND + "-1.0.0.jar"));
            BuildResult built = new BuildOnce(ctx.store(), ctx.ledger()).name(SECOND).version("1.0.0").workspace(project)
                    .outputs(List.of("target/" + SECOND + "/*.jar")).actor("ci").call();
            ReleaseSignatures.sign(ctx.store(), ctx.ledger(), SECOND, "1.0.0", releaseSigner, publicKey, "ci", clock);
            ReleaseSignatures.verify(ctx.store(), ctx.ledger(), SECOND, "1.0.0", publicKey, "ci", clock);
            GenerateSbom.Result sbom = GenerateSbom.call(ctx.store(), ctx.ledger(), SECOND, "1.0.0", Optional.empty(),
                    Limits.defaults(), "ci", clock);
            Path sbomDir = Files.createDirectories(project.resolve("target/" + SECOND + "-sbom"));
            GenerateSbom.writeTo(sbomDir, List.of(sbom.document(SbomFormat.CYCLONEDX).orElseThrow().document()));
            Instant now = Instant.now();
            Provenance.generate(ctx.store(), ctx.ledger(), SECOND, "1.0.0", new Provenance.Build(project.toUri().toString(),
                    "refs/heads/main", "Jenkinsfile", "golden", "demo", Optional.empty(), "release-gate demo", "local", now, now),
                    releaseSigner, "demo-release-key", "ci", clock);
            Provenance.verifyStored(ctx.store(), ctx.ledger(), SECOND, "1.0.0", publicKey, "ci", clock);
            new EvaluateGates(policy, ctx.ledger()).release(SECOND, "1.0.0", built.digest())
                    .sbom(List.of(sbomDir.resolve(SbomFormat.CYCLONEDX.fileName()))).context(SECOND, "main", "staging")
                    .actor("ci").call();
            step.accept("second service", SECOND + "@1.0.0 built as " + built.digest().shortForm()
                    + ", signed, SBOMs, provenance and gates recorded like any release");

            CreateManifest.Result set = new CreateManifest(ctx.store(), ctx.ledger()).name(SET).version(SET_VERSION)
                    .members(List.of(firstName + "@" + firstVersion, SECOND + "@1.0.0")).actor("ci")
                    .commit(BuildOnce.gitHead(project)).call();
            step.accept("manifest create", SET + "@" + SET_VERSION + " = " + set.build().digest().shortForm() + " pins "
                    + set.manifest().members().stream().map(m -> m.subject() + "=" + m.digest().shortForm()).toList()
                    + ", stored as " + set.build().reference());
            RoleDirectory roles = RoleDirectory.resolve(policy, project);
            PromoteSet.Governance governance = new PromoteSet.Governance(policy, roles, authors);
            for (String env : List.of("dev", "staging")) {
                PromoteSet.Result r = promote(ctx, set, env, governance).call();
                step.accept("promote set " + env, r.describe());
            }
            Path report = Files.writeString(project.resolve("target/" + SET + "-integration.xml"),
                    "<testsuite name=\"platform-it\" tests=\"2\"><testcase classname=\"it.Payments\" name=\"notifiesOnRefund\"/>"
                            + "<testcase classname=\"it.Payments\" name=\"paysWithNotifierDown\"/></testsuite>\n");
            RecordIntegration.Result it = RecordIntegration.record(ctx.store(), ctx.ledger(), SET + "@" + SET_VERSION,
                    set.build().digest(), report, "ci", clock);
            step.accept("manifest test", "integration tests of exactly this set: " + it.summary());
            for (String subject : List.of(SECOND + "@1.0.0", SET + "@" + SET_VERSION)) {
                String name = subject.substring(0, subject.indexOf('@'));
                String version = subject.substring(subject.indexOf('@') + 1);
                for (String[] a : new String[][] {{"mia", "maintainer"}, {"dora", "domain-reviewer"}}) {
                    try (ReleaseContext as = ReleaseContext.open(options.withSigner(Optional.of(trust.signer(a[0]))))) {
                        new ApproveProduction(policy, as.ledger(), roles).release(name, version)
                                .digest(subject.startsWith(SET) ? set.build().digest() : built.digest()).approver(a[0]).role(a[1])
                                .rationale("set tested together; rollback plan: the previous set").authors(authors).call();
                    }
                }
            }
            step.accept("approveProduction", "mia and dora approved " + SECOND + "@1.0.0 and the set by its digest "
                    + set.build().digest().shortForm());
            if (ChangeWindows.check(policy, "production", Instant.now()).isEmpty()) {
                PromoteSet.Result r = promote(ctx, set, "production", governance).call();
                step.accept("promote set production", r.describe());
            } else {
                try {
                    promote(ctx, set, "production", governance).call();
                    throw new IllegalStateException("a set outside the change window was not refused");
                } catch (RefusedException refused) {
                    step.accept("promote set production", "refused outside the change window (a set has no emergency path): "
                            + refused.refusals().stream().map(Refusal::rule).distinct().toList());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private PromoteSet promote(ReleaseContext ctx, CreateManifest.Result set, String env, PromoteSet.Governance governance) {
        return new PromoteSet(ctx.store(), ctx.ledger()).release(SET, SET_VERSION).digest(set.build().digest()).to(env).actor("ci")
                .governance(subject -> governance);
    }

    private static void jar(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry("META-INF/maven/com.example/" + SECOND + "/pom.properties"));
            jar.write(("groupId=com.example\nartifactId=" + SECOND + "\nversion=1.0.0\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            jar.closeEntry();
        }
    }
}
