package io.releasegate.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.releasegate.build.BuildOnce;
import io.releasegate.build.BuildResult;
import io.releasegate.changelog.Changelog;
import io.releasegate.commits.History;
import io.releasegate.approval.ApproveProduction;
import io.releasegate.approval.ReleaseAuthors;
import io.releasegate.approval.RoleDirectory;
import io.releasegate.notes.ReleaseNotes;
import io.releasegate.policy.Policy;
import io.releasegate.policy.ChangeWindows;
import io.releasegate.digest.Digester;
import io.releasegate.policy.CentralPolicy;
import io.releasegate.policy.PolicyLoader;
import io.releasegate.gates.EvaluateGates;
import io.releasegate.promotion.ApproveEmergency;
import io.releasegate.promotion.EmergencyChange;
import io.releasegate.provenance.Provenance;
import io.releasegate.sbom.GenerateSbom;
import io.releasegate.sbom.Limits;
import io.releasegate.demo.DemoPki;
import io.releasegate.demo.DemoTrust;
import io.releasegate.signing.CertificateSigner;
import io.releasegate.signing.CertificateVerifier;
import io.releasegate.sbom.SbomFormat;
import io.releasegate.sbom.SpdxWriter;
import io.releasegate.signing.KeySigner;
import io.releasegate.signing.SigningCertificates;
import io.releasegate.signing.TrustRoot;
import io.releasegate.signing.ReleaseSignatures;
import io.releasegate.verify.VerifyProduction;
import io.releasegate.promotion.PromoteDigest;
import io.releasegate.signing.OpenPgpKeys;
import io.releasegate.signing.OpenPgpSigner;
import io.releasegate.tag.TagRelease;
import io.releasegate.version.NextVersion;
import java.time.LocalDate;
import java.util.Optional;
import io.releasegate.context.ReleaseContext;
import io.releasegate.demo.SampleProject;
import io.releasegate.error.InputException;
import io.releasegate.error.RefusedException;
import io.releasegate.json.Json;
import io.releasegate.record.ReleaseRecord;
import io.releasegate.record.ReleaseRecordProjection;
import io.releasegate.record.ReleaseRecords;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", header = "The main job: walk a sample project through every Release Gate step.",
        description = {"The main job: create a sample project (a real git repository with Conventional Commits and a",
                "built jar) and walk it through every Release Gate step, with the embedded store and ledger",
                "inside the project's .release-gate directory. Prints each step and the release record."})
final class DemoCommand implements Callable<Integer>, Main.JsonAware {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where to create the sample project (missing or empty). Default: a new temporary directory.")
    Path dir;

    @Option(names = "--json", description = "Print the steps and the release record as JSON.")
    boolean json;

    @Mixin
    HelpOption help;

    private CliOutput output;
    /** The steps walked, for --json; made when the demo runs (not when the command line is set up). */
    private ArrayNode steps;

    /** Who signs the release in certificate mode (the CI job), who vouches for it, and someone else. */
    static final String DEMO_IDENTITY = "https://ci.release-gate.invalid/job/payments/job/main";
    static final String DEMO_ISSUER = "https://issuer.release-gate.invalid";
    static final String DEMO_WRONG_IDENTITY = "https://ci.release-gate.invalid/job/payments/job/feature";

    @Override
    public CliOutput output() {
        return output;
    }

    @Override
    public Integer call() throws IOException {
        output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
        steps = Json.mapper().createArrayNode();
        Path project = dir != null ? dir.toAbsolutePath() : Files.createTempDirectory("release-gate-demo-");
        SampleProject sample = SampleProject.create(project, Instant.parse("2026-11-02T09:00:00Z"));
        step("sample project", "git repository with " + sample.commits().size() + " Conventional Commits in " + project);

        String version;
        try (History history = History.open(project)) {
            NextVersion.Result next = new NextVersion(history).call();
            version = next.version();
            step("next-version", version + " (" + next.reason() + ", " + next.commits().size() + " commits)");
        }

        String jar = sample.build(version);
        step("build", "compiled and packaged " + jar);

        // who may sign what the ledger records: the CI identity the pipeline's events, each person their own approval
        DemoTrust trust = DemoTrust.create(project.resolve(".release-gate/trust"), "example.com", "alice", "mia", "dora");
        step("trust", "ledger events are signed git commits: the CI key signs the pipeline's events, each approver's own "
                + "key their approval (generated OpenPGP keys, " + project.relativize(trust.file()) + ")");
        ReleaseContext.Options options = new ReleaseContext.Options("", "", project.resolve(".release-gate"),
                java.util.Optional.empty()).withTrust(Optional.of(trust.file())).withSigner(Optional.of(trust.signer("ci")));
        try (ReleaseContext ctx = ReleaseContext.open(options); History history = History.open(project)) {
            BuildResult built = new BuildOnce(ctx.store(), ctx.ledger()).name(SampleProject.NAME).version(version)
                    .workspace(project).outputs(List.of("target/*.jar")).actor("ci").call();
            step("buildOnce", "published " + built.reference() + " as " + built.digest() + " (ledger event "
                    + built.eventId().substring(0, 12) + ")");

            BuildResult again = new BuildOnce(ctx.store(), ctx.ledger()).name(SampleProject.NAME).version(version)
                    .workspace(project).outputs(List.of("target/*.jar")).actor("ci").call();
            if (again.outcome() != BuildResult.Outcome.ALREADY_PUBLISHED || !again.digest().equals(built.digest())) {
                throw new IllegalStateException("rebuilding identical content did not resolve to the same digest");
            }
            step("buildOnce again", "identical content: no change, same digest");

            Files.writeString(project.resolve("target/extra.txt"), "a file that was not in the release\n");
            try {
                new BuildOnce(ctx.store(), ctx.ledger()).name(SampleProject.NAME).version(version)
                        .workspace(project).outputs(List.of("target/*.jar", "target/extra.txt")).actor("ci").call();
                throw new IllegalStateException("publishing different content under " + version + " was not refused");
            } catch (RefusedException refused) {
                step("immutability", "different content under " + version + " refused: " + refused.refusals().get(0).rule());
            } finally {
                Files.delete(project.resolve("target/extra.txt"));
            }

            Changelog.Result changelog = new Changelog(history).version(Optional.of(version))
                    .date(LocalDate.of(2026, 11, 2)).call();
            step("changelog", changelog.entries().size() + " entries: "
                    + changelog.entries().stream().map(Changelog.Entry::section).distinct().toList());

            // a throwaway signing key for this run only; CI uses the team's key from its credentials store
            String[] key = OpenPgpKeys.generateArmored("Release Gate demo <demo@release-gate.invalid>",
                    java.util.Date.from(Instant.parse("2026-11-02T09:00:00Z")));
            Path keyFile = project.resolve(".release-gate/demo-signing-key.asc");
            Files.writeString(keyFile, key[0]);
            Files.writeString(project.resolve(".release-gate/demo-signing-key.pub.asc"), key[1]);
            TagRelease.Result tag = new TagRelease(history, ctx.ledger()).name(SampleProject.NAME).version(version)
                    .signer(OpenPgpSigner.fromArmoredSecretKey(keyFile, new char[0])).actor("ci", "ci@release-gate.invalid")
                    .call();
            step("tag", tag.tag() + " on " + tag.commit().substring(0, 12) + ", OpenPGP-signed by " + tag.signer());
            io.releasegate.signing.TagVerifier.Verified tagOk = io.releasegate.signing.TagVerifier
                    .withKeyring(project.resolve(".release-gate/demo-signing-key.pub.asc")).verify(history.repository(), tag.tag());
            step("verify-tag", tag.tag() + " -> " + tagOk.object().substring(0, 12) + ", signature verified against the keyring");

            ReleaseRecord tagged = ReleaseRecordProjection.project(SampleProject.NAME, version, ctx.ledger().events(),
                    ctx.ledger().location(), ctx.ledger().head()).orElseThrow();
            String notes = new ReleaseNotes(tagged).changelog(changelog).date(LocalDate.of(2026, 11, 2))
                    .summary(Optional.of("First release of the payments service: card authorisation and half-even rounding."))
                    .risks(Optional.of("New service; no existing traffic. Mitigation: staged rollout through dev and staging."))
                    .rollbackPlan(Optional.of("First release: roll back by withdrawing it from production; there is no "
                            + "earlier digest to promote."))
                    .render();
            Path notesFile = project.resolve("docs/releases/v" + version + ".md");
            Files.createDirectories(notesFile.getParent());
            Files.writeString(notesFile, notes);
            step("release-notes", "wrote " + project.relativize(notesFile));

            // the team's policy: who approves (the sample's authors are alice and bob) and the gates that do not apply to
            // the sample, each with its rationale ("not applicable" is the policy's, never a run's). The demo runs without a pipeline
            // library, so the library pin (production's rule for golden pipeline builds) is waived: by the admin's central
            // policy, pinned by its digest, since a team policy may tighten the library's policy, never loosen it
            Files.createDirectories(project.resolve(".release"));
            Files.writeString(project.resolve(".release/policy.yaml"), "approvals:\n  members:\n    maintainer:\n"
                    + "      people: [mia]\n    domain-reviewer:\n      people: [dora]\n"
                    + "gates:\n  notApplicable:\n    unit: the sample project has no tests\n"
                    + "    sast: no SAST scanner is installed where the demo runs\n"
                    + "    dependency: the sample has no third-party dependencies\n"
                    + "    dast: a library-style sample with no network endpoint\n");
            Files.createDirectories(project.resolve(".release-gate"));
            Path centralFile = Files.writeString(project.resolve(".release-gate/central-policy.yaml"), "library:\n  allowUnpinned: true\n");
            CentralPolicy central = CentralPolicy.of(centralFile, Digester.of(Files.readAllBytes(centralFile)).toString());
            Policy policy = PolicyLoader.load(Optional.of(central), Optional.of(project.resolve(".release/policy.yaml")));
            step("policy", "the team's .release/policy.yaml over the admin's central policy (pinned " + central.pin().substring(0, 19)
                    + "…), over the library default: policy " + policy.digest().shortForm());
            PromoteDigest.Result dev = new PromoteDigest(policy, ctx.store(), ctx.ledger()).release(SampleProject.NAME, version)
                    .digest(built.digest()).to("dev").actor("ci").call();
            step("promoteDigest dev", "same digest now at " + dev.reference());
            try {
                new PromoteDigest(policy, ctx.store(), ctx.ledger()).release(SampleProject.NAME, version)
                        .digest(built.digest()).to("staging").actor("ci").call();
                throw new IllegalStateException("staging without evidence was not refused");
            } catch (RefusedException refused) {
                step("promoteDigest staging", "refused until the evidence exists: " + refused.refusals().stream()
                        .map(io.releasegate.error.Refusal::rule).toList());
            }

            // the evidence: signature, SBOM, provenance, gates
            String[] releaseKey = KeySigner.generatePem();
            Path privateKey = project.resolve(".release-gate/demo-release-key.pem");
            Path publicKeyFile = project.resolve(".release-gate/demo-release-key.pub.pem");
            Files.writeString(privateKey, releaseKey[0]);
            Files.writeString(publicKeyFile, releaseKey[1]);
            KeySigner releaseSigner = KeySigner.fromPem(privateKey);
            java.security.PublicKey publicKey = KeySigner.publicKey(publicKeyFile);
            ReleaseSignatures.sign(ctx.store(), ctx.ledger(), SampleProject.NAME, version, releaseSigner, publicKey, "ci",
                    java.time.Clock.systemUTC());
            ReleaseSignatures.verify(ctx.store(), ctx.ledger(), SampleProject.NAME, version, publicKey, "ci", java.time.Clock.systemUTC());
            step("sign + verifySignatures", "ECDSA P-256 signature of " + built.digest().shortForm() + " verified");
            // certificate mode: a CA made for this run only issues the signing certificate; verification pins who signed
            // (identity), who vouched for them (OIDC issuer) and which CA is trusted, as cosign verify-blob does
            DemoPki pki = DemoPki.create(project.resolve(".release-gate/demo-pki"), DEMO_IDENTITY, DEMO_ISSUER, Instant.now());
            CertificateSigner certificateSigner = new CertificateSigner(KeySigner.fromPem(pki.key()),
                    SigningCertificates.read(pki.certificate()).get(0), List.of(), Optional.empty());
            io.releasegate.ledger.Event certSigned = ReleaseSignatures.signWithCertificate(ctx.store(), ctx.ledger(), SampleProject.NAME,
                    version, certificateSigner, "ci", java.time.Clock.systemUTC());
            step("sign --certificate", "signed " + built.digest().shortForm() + " as " + DEMO_IDENTITY + " with a certificate from a demo CA "
                    + "generated for this run; Sigstore bundle stored as " + certSigned.payload().path("reference").asText());
            TrustRoot demoRoot = TrustRoot.load(pki.trustRoot());
            try {
                ReleaseSignatures.verifyWithCertificate(ctx.store(), ctx.ledger(), SampleProject.NAME, version,
                        CertificateVerifier.Policy.exact(DEMO_WRONG_IDENTITY, DEMO_ISSUER), demoRoot, "ci", java.time.Clock.systemUTC());
                throw new IllegalStateException("a signature by another identity was not refused");
            } catch (RefusedException refused) {
                io.releasegate.error.Refusal r = refused.refusals().get(0);
                step("verify --certificate-identity (wrong identity)", "refused by rule " + r.rule() + ": " + r.evidence());
            }
            io.releasegate.ledger.Event certVerified = ReleaseSignatures.verifyWithCertificate(ctx.store(), ctx.ledger(), SampleProject.NAME,
                    version, CertificateVerifier.Policy.exact(DEMO_IDENTITY, DEMO_ISSUER), demoRoot, "ci", java.time.Clock.systemUTC());
            step("verify --certificate-identity", "verified " + built.digest().shortForm() + ": signed by "
                    + certVerified.payload().path("identity").asText() + ", OIDC issuer " + DEMO_ISSUER + ", certificate chains to the "
                    + "trust root " + project.relativize(pki.trustRoot()));
            GenerateSbom.Result sbom = GenerateSbom.call(ctx.store(), ctx.ledger(), SampleProject.NAME, version, Optional.empty(),
                    Limits.defaults(), "ci", java.time.Clock.systemUTC());
            GenerateSbom.Stored cdx = sbom.document(SbomFormat.CYCLONEDX).orElseThrow();
            GenerateSbom.Stored spdx = sbom.document(SbomFormat.SPDX).orElseThrow();
            GenerateSbom.writeTo(project.resolve("target"), List.of(cdx.document(), spdx.document()));
            step("generateSbom", "CycloneDX 1.6, " + sbom.components() + " component(s), stored as " + cdx.referrer().shortForm());
            // the SPDX document, read back from the store: schema-valid and describing the artifact by its digest
            byte[] storedSpdx;
            try (var in = ctx.store().openBlob(SampleProject.NAME, spdx.document().digest())) {
                storedSpdx = in.readAllBytes();
            }
            if (!SpdxWriter.schemaErrors(storedSpdx).isEmpty()
                    || !SpdxWriter.describedSha256(storedSpdx).equals(Optional.of(built.digest().hex()))) {
                throw new IllegalStateException("the stored SPDX SBOM does not describe " + built.digest());
            }
            step("generateSbom spdx", "SPDX 2.3, " + sbom.components() + " package(s) + the release, which the document DESCRIBES by "
                    + "its SHA-256 " + built.digest().shortForm() + ", schema-valid, stored as " + spdx.referrer().shortForm());
            Instant now = Instant.now();
            var envelope = Provenance.generate(ctx.store(), ctx.ledger(), SampleProject.NAME, version, new Provenance.Build(project.toUri().toString(),
                    "refs/heads/main", "Jenkinsfile", "golden", "demo", Optional.empty(), "release-gate demo", "local", now, now),
                    releaseSigner, "demo-release-key", "ci", java.time.Clock.systemUTC());
            Provenance.verify(envelope, publicKey, built.digest());
            Files.writeString(project.resolve("target/provenance.dsse.json"), Json.pretty(envelope));
            Provenance.verifyStored(ctx.store(), ctx.ledger(), SampleProject.NAME, version, publicKey, "ci", java.time.Clock.systemUTC());
            step("provenance", "SLSA v1 statement in a signed DSSE envelope, stored as an attestation of the release, read back "
                    + "and verified against the artifact digest");
            EvaluateGates.Decision gates = new EvaluateGates(policy, ctx.ledger())
                    .release(SampleProject.NAME, version, built.digest())
                    .sbom(List.of(project.resolve("target/sbom.cdx.json")))
                    .context(SampleProject.NAME, "main", "staging").actor("ci").call();
            step("gates", gates.summary());
            PromoteDigest.Result staging = new PromoteDigest(policy, ctx.store(), ctx.ledger()).release(SampleProject.NAME, version)
                    .digest(built.digest()).to("staging").actor("ci").call();
            step("promoteDigest staging", "same digest now at " + staging.reference());

            java.util.Set<String> authors = ReleaseAuthors.of(history, built.commit().orElseThrow(), version);
            try (ReleaseContext asAlice = ReleaseContext.open(options.withSigner(Optional.of(trust.signer("alice"))))) {
                new ApproveProduction(policy, asAlice.ledger(), RoleDirectory.resolve(policy, project))
                        .release(SampleProject.NAME, version).digest(built.digest()).approver("alice@example.com")
                        .role("maintainer").rationale("I wrote it, ship it").authors(authors).call();
                throw new IllegalStateException("the author's approval was not refused");
            } catch (RefusedException refused) {
                step("approveProduction", "the author's own approval refused: " + refused.refusals().stream()
                        .map(io.releasegate.error.Refusal::rule).toList());
            }
            // an approval in someone else's name: the ledger checks the signature before it appends anything
            try (ReleaseContext asMia = ReleaseContext.open(options.withSigner(Optional.of(trust.signer("mia"))))) {
                new ApproveProduction(policy, asMia.ledger(), RoleDirectory.resolve(policy, project))
                        .release(SampleProject.NAME, version).digest(built.digest()).approver("dora").role("domain-reviewer")
                        .rationale("signed with mia's key").authors(authors).call();
                throw new IllegalStateException("an approval signed with another person's key was recorded");
            } catch (InputException refused) {
                step("approveProduction", "dora's approval signed with mia's key refused, nothing recorded");
            }
            for (String[] a : new String[][] {{"mia", "maintainer"}, {"dora", "domain-reviewer"}}) {
                try (ReleaseContext asApprover = ReleaseContext.open(options.withSigner(Optional.of(trust.signer(a[0]))))) {
                    ApproveProduction.Result approval = new ApproveProduction(policy, asApprover.ledger(),
                            RoleDirectory.resolve(policy, project)).release(SampleProject.NAME, version).digest(built.digest())
                            .approver(a[0]).role(a[1]).rationale("evidence complete, rollback plan reviewed").authors(authors).call();
                    step("approveProduction", a[0] + " (" + a[1] + "): " + approval.status().describe() + ", signed with "
                            + a[0] + "'s key");
                }
            }
            PromoteDigest production = new PromoteDigest(policy, ctx.store(), ctx.ledger()).release(SampleProject.NAME, version)
                    .digest(built.digest()).to("production").actor("ci");
            boolean outside = ChangeWindows.check(policy, "production", Instant.now()).isPresent();
            if (outside) {
                // outside the window: mia, a maintainer who wrote none of it, approves the emergency change herself
                EmergencyChange change = new EmergencyChange("demo run outside the change window", "mia",
                        "payments only", "withdraw the release", List.of("post-change review within 5 days"));
                RoleDirectory roles = RoleDirectory.resolve(policy, project);
                try (ReleaseContext asMia = ReleaseContext.open(options.withSigner(Optional.of(trust.signer("mia"))))) {
                    new ApproveEmergency(policy, asMia.ledger(), roles).release(SampleProject.NAME, version).digest(built.digest())
                            .record(change).authors(authors).call();
                }
                step("approveEmergency", "mia approved the emergency change, signed with her own key");
                production.emergency(Optional.of(change)).roles(roles).authors(authors);
            }
            PromoteDigest.Result prod = production.call();
            step("promoteDigest production", "same digest now at " + prod.reference()
                    + (outside ? " (outside the change window: recorded as an emergency change)" : " (inside the change window)"));
            VerifyProduction.Result verified = new VerifyProduction(ctx.store(), ctx.ledger()).release(SampleProject.NAME, version)
                    .check("smoke", "java -jar " + jar + " 100 | grep -qx true").workdir(project).call();
            step("verify-production", (verified.ok() ? "verified" : "NOT verified: " + verified.problems()) + "; smoke check "
                    + (verified.checks().get(0).ok() ? "passed" : "failed"));

            // several services as one set: the sample and a second service, promoted together
            new io.releasegate.demo.SetWalkthrough(options, trust, project, policy, authors, this::step)
                    .run(ctx, SampleProject.NAME, version, releaseSigner, publicKey);

            // the next release cycle: one finding of each release-scope gate caught, then resolved
            new io.releasegate.demo.ScopeWalkthrough(project, policy, Instant.parse("2026-11-09T09:00:00Z"), this::step).run();

            ReleaseRecord record = ReleaseRecordProjection.project(SampleProject.NAME, version, ctx.ledger().events(),
                    ctx.ledger().location(), ctx.ledger().head())
                    .orElseThrow(() -> new InputException("the ledger has no record of the demo build"));
            String recordJson = new ReleaseRecords().write(record);
            if (json) {
                ObjectNode doc = Json.object();
                doc.put("directory", project.toString());
                doc.set("steps", steps);
                doc.set("record", Json.mapper().readTree(recordJson));
                output.document(doc);
            } else {
                PrintWriter out = output.out();
                out.println();
                out.println("release record of " + SampleProject.NAME + "@" + version + ":");
                out.print(recordJson);
                out.println();
                out.println("Try: cd " + project + " && git --git-dir=.release-gate/ledger.git log --stat"
                        + " && GNUPGHOME=$(mktemp -d) sh -c 'gpg -q --import .release-gate/trust/keyring.asc && git"
                        + " --git-dir=.release-gate/ledger.git log --show-signature -3'"
                        + " && git cat-file -p v" + version + " && cat docs/releases/v" + version + ".md");
                out.flush();
            }
        }
        return 0;
    }

    private void step(String name, String detail) {
        steps.addObject().put("step", name).put("result", detail);
        if (!json) {
            output.out().println("✔ " + name + ": " + detail);
            output.out().flush();
        }
    }
}
