package io.releasegate.jenkins;

import static io.releasegate.jenkins.SampleWorkspace.RELEASE;
import static org.assertj.core.api.Assertions.assertThat;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SecretBytes;
import com.cloudbees.plugins.credentials.domains.Domain;
import hudson.model.Result;
import io.releasegate.ledger.Event;
import io.releasegate.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.plaincredentials.impl.FileCredentialsImpl;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * Certificate mode in real Pipeline builds: the release signed with a certificate from a generated test CA (the key
 * and the PEM certificate with its chain as secret files), verified by identity, OIDC issuer and the controller's
 * trust root, and refused for another identity, another issuer and a missing trust root.
 */
@WithJenkins
class CertificateModeTest {

    private static final String IDENTITY = "https://ci.example.internal/job/payments/job/main";
    private static final String SIGN = """
              buildOnce(%1$s, artifacts: 'target/*.jar')
              def signed = releaseGate(command: 'sign', args: [%1$s], signingKey: 'release-cert-key', signingCertificate: 'release-cert')
              echo "signed by ${signed.identity} bundle ${signed.reference}"
              releaseGate(command: 'provenance', args: [%1$s, ref: 'main'], signingKey: 'release-cert-key')
            """.formatted(RELEASE);

    @TempDir
    Path tmp;

    /** A leaf for {@link #IDENTITY} from a fresh test CA: key and certificate + chain as secret files; the CA as trust root. */
    private TestPki credentials() throws Exception {
        TestPki pki = TestPki.create(Instant.now());
        TestPki.Leaf leaf = pki.leaf(tmp, "leaf", IDENTITY, Instant.now());
        String chain = Files.readString(leaf.cert()) + TestPki.pem("CERTIFICATE", pki.intermediate().getEncoded());
        var store = CredentialsProvider.lookupStores(Jenkins.get()).iterator().next();
        store.addCredentials(Domain.global(), new FileCredentialsImpl(CredentialsScope.GLOBAL, "release-cert-key", "signing key",
                "release.pem", SecretBytes.fromRawBytes(Files.readAllBytes(leaf.key()))));
        store.addCredentials(Domain.global(), new FileCredentialsImpl(CredentialsScope.GLOBAL, "release-cert", "signing certificate",
                "release.crt", SecretBytes.fromRawBytes(chain.getBytes(StandardCharsets.US_ASCII))));
        ReleaseGateConfiguration.get().setTrustedRoot(Files.readString(pki.caBundle(tmp.resolve("ca.pem"))));
        return pki;
    }

    @Test
    void signsWithTheCertificateAndVerifiesIdentityIssuerAndTrustRoot(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        credentials();
        job.setDefinition(new CpsFlowDefinition("node {\n" + SIGN + """
                  def v = verifySignatures(%1$s, certificateIdentityRegexp: 'https://ci\\\\.example\\\\.internal/job/payments/.*',
                                           certificateOidcIssuer: '%2$s')
                  echo "verified ${v.mode} ${v.identity}"
                  def g = releaseGate(command: 'verifySignatures', args: [%1$s, certificateIdentity: '%3$s',
                                      certificateOidcIssuer: '%2$s'])
                  echo "generic ${g.mode} ${g.identity}"
                }
                """.formatted(RELEASE, TestPki.ISSUER, IDENTITY), true));

        WorkflowRun run = r.buildAndAssertSuccess(job);

        r.assertLogContains("signed by " + IDENTITY + " bundle payments@sha256:", run);
        r.assertLogContains("verified certificate " + IDENTITY, run);
        r.assertLogContains("generic certificate " + IDENTITY, run);
        r.assertLogContains("signatures of payments@1.0.0 verified (certificate of " + IDENTITY + ", issuer " + TestPki.ISSUER + ")", run);
        List<Event> events = sample.events();
        assertThat(events).extracting(Event::type).contains("signed", "provenance-generated", "signature-verified", "attestation-verified")
                .doesNotContain("signature-failed", "attestation-failed");
        assertThat(events.stream().filter(e -> e.type().equals("signed")).findFirst().orElseThrow().payload().path("identity").asText())
                .isEqualTo(IDENTITY);
        assertThat(run.getAction(ReleaseEvidenceAction.class).entriesOf("signature")).extracting(ReleaseEvidenceAction.Entry::getSummary)
                .anyMatch(s -> s.contains("with the certificate of " + IDENTITY))
                .anyMatch(s -> s.contains("verified (certificate of " + IDENTITY));
        // the key, certificate and trust root were written to an owner-only temporary directory and removed
        try (var left = Files.list(sample.dir.resolveSibling(sample.dir.getFileName() + "@tmp"))) {
            assertThat(left).noneMatch(p -> p.getFileName().toString().startsWith("release-gate-key"));
        }
    }

    @Test
    void anotherIdentityFailsClosedWithTheVerifiersReason(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace sample = SampleWorkspace.create(job);
        credentials();
        job.setDefinition(new CpsFlowDefinition("node {\n" + SIGN + """
                  verifySignatures(%1$s, certificateIdentity: 'https://ci.example.internal/job/billing/job/main',
                                   certificateOidcIssuer: '%2$s')
                  echo 'not reached'
                }
                """.formatted(RELEASE, TestPki.ISSUER), true));

        WorkflowRun run = r.buildAndAssertStatus(Result.FAILURE, job);

        r.assertLogContains("[release-gate] verifySignatures: refused by rule certificate.identity", run);
        r.assertLogContains(IDENTITY, run);
        r.assertLogNotContains("not reached", run);
        assertThat(sample.events()).extracting(Event::type).contains("signature-failed").doesNotContain("signature-verified");
        assertThat(run.getAction(ReleaseEvidenceAction.class).entriesOf("signature"))
                .extracting(ReleaseEvidenceAction.Entry::getSummary).anyMatch(s -> s.contains("NOT verified"));
    }

    @Test
    void theControllersDefaultsApplyAndAnotherIssuerIsRefused(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace.create(job);
        credentials();
        ReleaseGateConfiguration config = ReleaseGateConfiguration.get();
        config.setCertificateIdentityRegexp("https://ci\\.example\\.internal/job/payments/.*");
        config.setCertificateOidcIssuer(TestPki.ISSUER);
        job.setDefinition(new CpsFlowDefinition("node {\n" + SIGN + """
                  def v = verifySignatures(%1$s)
                  echo "defaults ${v.mode} ${v.identity}"
                  verifySignatures(%1$s, certificateOidcIssuer: 'https://accounts.example.internal')
                  echo 'not reached'
                }
                """.formatted(RELEASE), true));

        WorkflowRun run = r.buildAndAssertStatus(Result.FAILURE, job);

        r.assertLogContains("defaults certificate " + IDENTITY, run);
        r.assertLogContains("refused by rule certificate.issuer", run);
        r.assertLogNotContains("not reached", run);
    }

    @Test
    void certificateModeWithoutATrustRootNamesIt(JenkinsRule r) throws Exception {
        WorkflowJob job = r.createProject(WorkflowJob.class, "payments");
        SampleWorkspace.create(job);
        credentials();
        ReleaseGateConfiguration.get().setTrustedRoot("");
        job.setDefinition(new CpsFlowDefinition("node {\n" + SIGN + """
                  verifySignatures(%1$s, certificateIdentity: '%2$s')
                }
                """.formatted(RELEASE, IDENTITY), true));

        WorkflowRun run = r.buildAndAssertStatus(Result.FAILURE, job);

        r.assertLogContains("verifySignatures: certificate mode needs certificateOidcIssuer, a trust root", run);
    }
}
