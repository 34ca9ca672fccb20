package io.releasegate.jenkins;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SecretBytes;
import com.cloudbees.plugins.credentials.domains.Domain;
import hudson.FilePath;
import io.releasegate.context.ReleaseContext;
import io.releasegate.demo.SampleProject;
import io.releasegate.ledger.Event;
import io.releasegate.signing.KeySigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.plaincredentials.impl.FileCredentialsImpl;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;

/**
 * A real sample release in a job's workspace, prepared before the build: a git repository with
 * commits by alice and bob, its reproducible jar built, a committed policy (maintainers mia and alice, domain
 * reviewer dora), the controller's central policy with a change window that is always open, an empty SARIF report, and a fresh signing key
 * pair registered as a secret file credential {@value #KEY_ID}.
 */
final class SampleWorkspace {

    static final String KEY_ID = "release-key";
    static final String NAME = SampleProject.NAME;
    static final String VERSION = "1.0.0";
    static final String RELEASE = "name: '" + NAME + "', version: '" + VERSION + "'";

    /** The controller's central policy of the tests: every day, all day. */
    static final String ALWAYS_OPEN = "windows:\n  timezone: UTC\n  weekly:\n    - days: [MON, TUE, WED, THU, FRI, SAT, SUN]\n"
            + "      from: \"00:00\"\n      to: \"23:59:59.999999999\"\n";

    final Path dir;
    final String privatePem;
    final String publicPem;

    private SampleWorkspace(Path dir, String privatePem, String publicPem) {
        this.dir = dir;
        this.privatePem = privatePem;
        this.publicPem = publicPem;
    }

    static SampleWorkspace create(WorkflowJob job) throws IOException {
        FilePath ws = Jenkins.get().getWorkspaceFor(job);
        if (ws == null) {
            throw new IllegalStateException("no workspace for " + job);
        }
        Path dir = Path.of(ws.getRemote());
        SampleProject sample = SampleProject.create(dir, Instant.parse("2026-11-02T09:00:00Z"));
        Files.createDirectories(dir.resolve(".release"));
        Files.writeString(dir.resolve(".release/policy.yaml"),
                "approvals:\n  members:\n    maintainer:\n      people: [mia, alice]\n    domain-reviewer:\n      people: [dora]\n"
                        // the gates without evidence in the sample, declared where a reviewer sees them
                        + "gates:\n  notApplicable:\n    unit: no tests in the sample\n"
                        + "    dependency: no third-party dependencies\n    dast: no network endpoint\n",
                StandardCharsets.UTF_8);
        // the admin's central policy: a change window that is always open, so that the builds do not depend on when the
        // tests run (a team policy may only tighten the windows, never open them wider)
        ReleaseGateConfiguration.get().setDefaultPolicy(ALWAYS_OPEN);
        commit(dir, ".release/policy.yaml", "chore: release policy");
        Files.createDirectories(dir.resolve("build"));
        Files.writeString(dir.resolve("build/sast.sarif"), "{\"version\":\"2.1.0\",\"runs\":[]}", StandardCharsets.UTF_8);
        // built from the commit that holds the policy: production decides under the policy committed there
        sample.build(VERSION);
        String[] pair = KeySigner.generatePem();
        return new SampleWorkspace(dir, pair[0], pair[1]);
    }

    /** Commits {@code file} as the release manager would: the policy a production decision uses is the committed one. */
    static void commit(Path dir, String file, String message) throws IOException {
        try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.open(dir.toFile())) {
            git.add().addFilepattern(file).call();
            org.eclipse.jgit.lib.PersonIdent rita = new org.eclipse.jgit.lib.PersonIdent("Rita", "rita@example.com");
            git.commit().setMessage(message).setAuthor(rita).setCommitter(rita).setSign(false).call();
        } catch (org.eclipse.jgit.api.errors.GitAPIException e) {
            throw new IOException("cannot commit " + file + ": " + e.getMessage(), e);
        }
    }

    /** The key pair as one secret file (private block, then public block), as an administrator would upload it. */
    SampleWorkspace registerSigningKey() throws IOException {
        byte[] pem = (privatePem + publicPem).getBytes(StandardCharsets.US_ASCII);
        CredentialsProvider.lookupStores(Jenkins.get()).iterator().next().addCredentials(Domain.global(),
                new FileCredentialsImpl(CredentialsScope.GLOBAL, KEY_ID, "release signing key", "release.pem",
                        SecretBytes.fromRawBytes(pem)));
        return this;
    }

    /** No key, passphrase, trust or policy file is left in the workspace's temporary directory after the steps. */
    void assertNoSecretFileLeft() throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(dir.resolveSibling(dir.getFileName() + "@tmp"))) {
            org.assertj.core.api.Assertions.assertThat(files.filter(Files::isRegularFile)).isEmpty();
        } catch (java.nio.file.NoSuchFileException none) {
            // no temporary directory at all
        }
    }

    /** The base64 body of the private key: what must never appear in a build log. */
    String privateKeyBody() {
        return privatePem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "").strip()
                .lines().findFirst().orElseThrow();
    }

    /** The events the embedded ledger holds for the sample release. */
    List<Event> events() {
        try (ReleaseContext ctx = ReleaseContext.open(ReleaseContext.Options.embedded(dir.resolve(CoreCallable.STATE_DIR)))) {
            return ctx.ledger().events(NAME + "@" + VERSION);
        }
    }
}
