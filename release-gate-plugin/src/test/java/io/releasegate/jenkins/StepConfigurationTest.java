package io.releasegate.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.jenkinsci.plugins.workflow.cps.SnippetizerTester;
import org.jenkinsci.plugins.workflow.steps.StepConfigTester;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/** Every step survives the configuration form and the snippet generator, and parses back from its snippet. */
@WithJenkins
class StepConfigurationTest {

    @Test
    void buildOnce(JenkinsRule r) throws Exception {
        BuildOnceStep step = new BuildOnceStep("payments", "1.4.0", "target/*.jar");
        step.setStore("oci://127.0.0.1:5000/team");
        step.setLedger("/srv/ledger.git");
        step.setTargets("dist/app-*-amd64.tar.gz, dist/app-*-arm64.tar.gz");
        r.assertEqualDataBoundBeans(step, new StepConfigTester(r).configRoundTrip(step));
        SnippetizerTester snippets = new SnippetizerTester(r);
        snippets.assertRoundTrip(new BuildOnceStep("payments", "1.4.0", "target/*.jar"),
                "buildOnce artifacts: 'target/*.jar', name: 'payments', version: '1.4.0'");
        snippets.assertParseStep(step, "buildOnce name: 'payments', version: '1.4.0', artifacts: 'target/*.jar', "
                + "store: 'oci://127.0.0.1:5000/team', ledger: '/srv/ledger.git', "
                + "targets: 'dist/app-*-amd64.tar.gz, dist/app-*-arm64.tar.gz'");
    }

    @Test
    void generateSbom(JenkinsRule r) throws Exception {
        GenerateSbomStep step = new GenerateSbomStep("payments", "1.4.0");
        step.setOut("target/sbom.cdx.json");
        step.setSpdxOut("target/sbom.spdx.json");
        step.setFormat("both");
        r.assertEqualDataBoundBeans(step, new StepConfigTester(r).configRoundTrip(step));
        new SnippetizerTester(r).assertRoundTrip(step, "generateSbom format: 'both', name: 'payments', "
                + "out: 'target/sbom.cdx.json', spdxOut: 'target/sbom.spdx.json', version: '1.4.0'");
    }

    @Test
    void verifySignatures(JenkinsRule r) throws Exception {
        VerifySignaturesStep step = new VerifySignaturesStep("payments", "1.4.0");
        step.setSigningKey("release-key");
        r.assertEqualDataBoundBeans(step, new StepConfigTester(r).configRoundTrip(step));
        new SnippetizerTester(r).assertRoundTrip(step,
                "verifySignatures name: 'payments', signingKey: 'release-key', version: '1.4.0'");

        VerifySignaturesStep certificate = new VerifySignaturesStep("payments", "1.4.0");
        certificate.setCertificateIdentityRegexp("https://ci\\.example\\.internal/job/payments/.*");
        certificate.setCertificateOidcIssuer("https://issuer.example.internal");
        r.assertEqualDataBoundBeans(certificate, new StepConfigTester(r).configRoundTrip(certificate));
        new SnippetizerTester(r).assertRoundTrip(certificate, "verifySignatures certificateIdentityRegexp: "
                + "'https://ci\\\\.example\\\\.internal/job/payments/.*', certificateOidcIssuer: 'https://issuer.example.internal', "
                + "name: 'payments', version: '1.4.0'");
    }

    @Test
    void approveProduction(JenkinsRule r) throws Exception {
        ApproveProductionStep step = new ApproveProductionStep("payments", "1.4.0", "sha256:" + "ab".repeat(32));
        step.setRole("maintainer");
        step.setRationale("tests and gates green");
        r.assertEqualDataBoundBeans(step, new StepConfigTester(r).configRoundTrip(step));
        new SnippetizerTester(r).assertRoundTrip(step, "approveProduction digest: 'sha256:" + "ab".repeat(32)
                + "', name: 'payments', rationale: 'tests and gates green', role: 'maintainer', version: '1.4.0'");
        // there is no approver field to configure: the approver comes from the input step
        assertThat(org.jenkinsci.plugins.structs.describable.DescribableModel.of(ApproveProductionStep.class)
                .getParameters()).extracting(p -> p.getName()).doesNotContainAnyElementsOf(ApproveProductionStep.IDENTITY_ARGUMENTS);
    }

    @Test
    void promoteDigest(JenkinsRule r) throws Exception {
        PromoteDigestStep step = new PromoteDigestStep("payments", "1.4.0", "sha256:" + "cd".repeat(32), "staging");
        r.assertEqualDataBoundBeans(step, new StepConfigTester(r).configRoundTrip(step));
        new SnippetizerTester(r).assertRoundTrip(step, "promoteDigest digest: 'sha256:" + "cd".repeat(32)
                + "', name: 'payments', to: 'staging', version: '1.4.0'");
        PromoteDigestStep rollback = new PromoteDigestStep("payments", "1.4.0", "sha256:" + "cd".repeat(32), "production");
        rollback.setIncident("INC-42");
        rollback.setStoreCredentials("registry");
        r.assertEqualDataBoundBeans(rollback, new StepConfigTester(r).configRoundTrip(rollback));
        new SnippetizerTester(r).assertRoundTrip(rollback, "promoteDigest digest: 'sha256:" + "cd".repeat(32)
                + "', incident: 'INC-42', name: 'payments', storeCredentials: 'registry', to: 'production', version: '1.4.0'");
        // the emergency record, a map the form cannot carry, is taken by the descriptor
        @SuppressWarnings("deprecation")
        PromoteDigestStep emergency = (PromoteDigestStep) r.jenkins.getDescriptorByType(PromoteDigestStep.DescriptorImpl.class)
                .newInstance(Map.of("name", "payments", "version", "1.4.0", "digest", "sha256:" + "cd".repeat(32), "to", "production",
                        "emergency", Map.of("reason", "outage", "followUps", java.util.List.of("review"))));
        assertThat(emergency.getEmergency()).containsEntry("reason", "outage").containsEntry("followUps", java.util.List.of("review"));
    }

    @Test
    void releaseGate(JenkinsRule r) throws Exception {
        ReleaseGateStep step = new ReleaseGateStep("sign");
        step.setSigningKey("release-key");
        r.assertEqualDataBoundBeans(step, new StepConfigTester(r).configRoundTrip(step));
        new SnippetizerTester(r).assertRoundTrip(step, "releaseGate command: 'sign', signingKey: 'release-key'");
        step.setSigningCertificate("release-certificate");
        r.assertEqualDataBoundBeans(step, new StepConfigTester(r).configRoundTrip(step));
        new SnippetizerTester(r).assertRoundTrip(step,
                "releaseGate command: 'sign', signingCertificate: 'release-certificate', signingKey: 'release-key'");
        // the map of arguments, which the form cannot carry, is taken by the descriptor
        @SuppressWarnings("deprecation")
        ReleaseGateStep parsed = (ReleaseGateStep) r.jenkins.getDescriptorByType(ReleaseGateStep.DescriptorImpl.class).newInstance(
                Map.of("command", "gate", "args", Map.of("name", "payments", "notApplicable", Map.of("dast", "none"))));
        assertThat(parsed.getCommand()).isEqualTo("gate");
        assertThat(parsed.getArgs()).containsEntry("name", "payments").containsEntry("notApplicable", Map.of("dast", "none"));

        ReleaseGateStep tag = new ReleaseGateStep("tag");
        tag.setSigningKey("tag-key");
        tag.setPassphraseCredentials("tag-passphrase");
        tag.setGitCredentials("git-push");
        r.assertEqualDataBoundBeans(tag, new StepConfigTester(r).configRoundTrip(tag));
        new SnippetizerTester(r).assertRoundTrip(tag, "releaseGate command: 'tag', gitCredentials: 'git-push', "
                + "passphraseCredentials: 'tag-passphrase', signingKey: 'tag-key'");
    }

    @Test
    void releaseGateRecordRunAndReport(JenkinsRule r) throws Exception {
        // the form offers both commands, and they survive the form and the snippet generator
        assertThat(r.jenkins.getDescriptorByType(ReleaseGateStep.DescriptorImpl.class).doFillCommandItems())
                .extracting(o -> o.value).contains("record-run", "report");
        for (String command : new String[] {"record-run", "report"}) {
            ReleaseGateStep step = new ReleaseGateStep(command);
            r.assertEqualDataBoundBeans(step, new StepConfigTester(r).configRoundTrip(step));
            new SnippetizerTester(r).assertRoundTrip(step, "releaseGate '" + command + "'");
        }
        @SuppressWarnings("deprecation")
        ReleaseGateStep parsed = (ReleaseGateStep) r.jenkins.getDescriptorByType(ReleaseGateStep.DescriptorImpl.class).newInstance(
                Map.of("command", "record-run", "args", Map.of("name", "payments", "branch", "main", "result", "SUCCESS",
                        "durationMs", 1200, "stages", Map.of("build", 1000))));
        assertThat(parsed.getArgs()).containsEntry("durationMs", 1200).containsEntry("stages", Map.of("build", 1000));
    }
}
