package io.releasegate.jenkins;

import static io.releasegate.jenkins.SampleWorkspace.RELEASE;
import static org.assertj.core.api.Assertions.assertThat;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SecretBytes;
import com.cloudbees.plugins.credentials.domains.Domain;
import hudson.model.Result;
import hudson.util.Secret;
import io.releasegate.ledger.Event;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.plaincredentials.impl.FileCredentialsImpl;
import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * Release keys as companies keep them in Jenkins: an encrypted key file in a secret file credential with its passphrase
 * in a secret text credential, or a PKCS#11 URI. The passphrase reaches the core through an owner-only file for the call,
 * never the log; a wrong one fails the step before anything is signed.
 */
@WithJenkins
class KeyCredentialsTest {

    static final String PASSPHRASE = "correct-horse-battery-7";

    /** Build, sign, attest the provenance with the same key, and verify both. */
    static final String SIGN_AND_VERIFY = """
            node {
              buildOnce(%1$s, artifacts: 'target/*.jar')
              releaseGate(command: 'sign', args: [%1$s])
              releaseGate(command: 'provenance', args: [%1$s])
              def v = verifySignatures(%1$s)
              echo "verified: ${v.verified}"
            }
            """.formatted(RELEASE);

    @TempDir
    Path tmp;

    /** openssl's own output: an encrypted PKCS#8 (PBES2, AES-256) ECDSA P-384 key and its public key. */
    String[] encryptedP384() throws Exception {
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "plain.pem");
        run("openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "plain.pem", "-passout", "pass:" + PASSPHRASE,
                "-out", "encrypted.pem");
        run("openssl", "pkey", "-in", "plain.pem", "-pubout", "-out", "public.pem");
        return new String[] {Files.readString(tmp.resolve("encrypted.pem")), Files.readString(tmp.resolve("public.pem"))};
    }

    void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    static void add(com.cloudbees.plugins.credentials.Credentials c) throws Exception {
        CredentialsProvider.lookupStores(Jenkins.get()).iterator().next().addCredentials(Domain.global(), c);
    }

    @Test
    void anEncryptedP384KeyWithItsPassphraseCredentialSignsAndVerifies(JenkinsRule r) throws Exception {
        String[] key = encryptedP384();
        add(new FileCredentialsImpl(CredentialsScope.GLOBAL, "release-key", "release key (generated)", "release.pem",
                SecretBytes.fromRawBytes(key[0].getBytes(StandardCharsets.US_ASCII))));
        add(new StringCredentialsImpl(CredentialsScope.GLOBAL, "release-key-passphrase", "its passphrase",
                Secret.fromString(PASSPHRASE)));
        ReleaseGateConfiguration config = ReleaseGateConfiguration.get();
        config.setSigningKeyCredentialsId("release-key");
        config.setSigningKeyPassphraseCredentialsId("release-key-passphrase");
        config.setPublicKey(key[1]);
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition(SIGN_AND_VERIFY, true));
        WorkflowRun run = r.buildAndAssertSuccess(job);
        r.assertLogContains("verified: true", run);
        r.assertLogNotContains(PASSPHRASE, run);
        assertThat(sample.events()).extracting(Event::type).contains("signed", "provenance-generated", "signature-verified");
        assertThat(sample.events().toString()).doesNotContain(PASSPHRASE);
        sample.assertNoSecretFileLeft();

        // a wrong passphrase: the step fails naming the problem, and nothing more is signed
        long signed = sample.events().stream().filter(e -> e.type().equals("signed")).count();
        add(new StringCredentialsImpl(CredentialsScope.GLOBAL, "wrong-passphrase", "not its passphrase", Secret.fromString("nope-nope")));
        config.setSigningKeyPassphraseCredentialsId("wrong-passphrase");
        job.setDefinition(new CpsFlowDefinition("node { releaseGate(command: 'sign', args: [%1$s]) }".formatted(RELEASE), true));
        WorkflowRun wrong = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("passphrase", wrong);
        r.assertLogNotContains("nope-nope", wrong);
        assertThat(sample.events().stream().filter(e -> e.type().equals("signed")).count()).isEqualTo(signed);
    }

    @Test
    void aPkcs11UriMayNotCarryItsPin(JenkinsRule r) throws Exception {
        add(new StringCredentialsImpl(CredentialsScope.GLOBAL, "token-key", "a key in a token",
                Secret.fromString("pkcs11:token=release;object=release-key?pin-value=123456")));
        ReleaseGateConfiguration.get().setSigningKeyCredentialsId("token-key");
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition("node { releaseGate(command: 'provenance', args: [%1$s]) }".formatted(RELEASE), true));
        WorkflowRun run = r.buildAndAssertStatus(Result.FAILURE, job);
        r.assertLogContains("keep the PIN in its own secret text credentials", run);
        r.assertLogNotContains("123456", run);
    }

    /**
     * A key that never leaves a real SoftHSM2 token: the credential holds only its PKCS#11 URI, the PIN its own secret text
     * credential. SoftHSM2 reads {@code $SOFTHSM2_CONF} (set for the test JVM by the pom) when the token is first used.
     */
    @Test
    void aPkcs11KeySignsInItsTokenWithThePinFromItsCredential(JenkinsRule r) throws Exception {
        Path conf = Path.of(System.getenv().getOrDefault("SOFTHSM2_CONF", ""));
        assertThat(conf.isAbsolute()).as("SOFTHSM2_CONF names the test's SoftHSM2 configuration").isTrue();
        Path tokens = Files.createDirectories(tmp.resolve("tokens"));
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n");
        String module = java.util.stream.Stream.of("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
                .filter(m -> Files.isRegularFile(Path.of(m))).findFirst().orElseThrow(() -> new AssertionError("softhsm2 is not installed"));
        String pin = "48151623";
        run("softhsm2-util", "--init-token", "--free", "--label", "release", "--so-pin", "5678", "--pin", pin);
        String[] tool = {"pkcs11-tool", "--module", module, "--token-label", "release", "--login", "--pin", pin};
        run(concat(tool, "--keypairgen", "--key-type", "EC:prime256v1", "--label", "release", "--id", "01"));
        run(concat(tool, "--read-object", "--type", "pubkey", "--id", "01", "-o", "release.der"));
        run("openssl", "pkey", "-pubin", "-inform", "DER", "-in", "release.der", "-out", "release.pem");
        // SunPKCS11 lists a private key that has a certificate: one for the token's own key, by a CA made here
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-subj", "/CN=test CA", "-days", "2", "-out", "ca.pem");
        run("openssl", "x509", "-new", "-subj", "/CN=release", "-force_pubkey", "release.pem", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-days", "2", "-outform", "DER", "-out", "release.crt");
        run(concat(tool, "--write-object", "release.crt", "--type", "cert", "--id", "01", "--label", "release"));
        String slot = slot();

        add(new StringCredentialsImpl(CredentialsScope.GLOBAL, "token-key", "the release key's token",
                Secret.fromString("pkcs11:slot-id=" + slot + ";object=release?module-path=" + module)));
        add(new StringCredentialsImpl(CredentialsScope.GLOBAL, "token-pin", "the token's PIN", Secret.fromString(pin)));
        ReleaseGateConfiguration config = ReleaseGateConfiguration.get();
        config.setSigningKeyCredentialsId("token-key");
        config.setSigningKeyPassphraseCredentialsId("token-pin");
        config.setPublicKey(Files.readString(tmp.resolve("release.pem")));
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        job.setDefinition(new CpsFlowDefinition(SIGN_AND_VERIFY, true));
        WorkflowRun run = r.buildAndAssertSuccess(job);
        r.assertLogContains("verified: true", run);
        r.assertLogNotContains(pin, run);
        assertThat(sample.events().toString()).doesNotContain(pin);
    }

    /** The slot SoftHSM2 gave the token labelled {@code release}. */
    String slot() throws Exception {
        Process p = new ProcessBuilder("softhsm2-util", "--show-slots").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        for (String block : out.split("\nSlot ")) {
            if (block.matches("(?s)\\d+\\s.*Label:\\s+release\\s.*")) {
                return block.substring(0, block.indexOf('\n')).strip();
            }
        }
        throw new AssertionError("no slot holds the token 'release': " + out);
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
