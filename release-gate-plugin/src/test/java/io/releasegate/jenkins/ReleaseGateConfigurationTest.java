package io.releasegate.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.casc.ConfigurationContext;
import io.jenkins.plugins.casc.ConfiguratorRegistry;
import io.jenkins.plugins.casc.misc.ConfiguredWithCode;
import io.jenkins.plugins.casc.misc.JenkinsConfiguredWithCodeRule;
import io.jenkins.plugins.casc.misc.Util;
import io.jenkins.plugins.casc.misc.junit.jupiter.WithJenkinsConfiguredWithCode;
import io.jenkins.plugins.casc.model.CNode;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/** The global configuration survives the System page, and reads and writes as Configuration as Code. */
class ReleaseGateConfigurationTest {

    @Test
    @WithJenkins
    void systemPageRoundTrip(JenkinsRule r) throws Exception {
        ReleaseGateConfiguration config = ReleaseGateConfiguration.get();
        config.setStore("oci://registry.example.internal:5000/team");
        config.setStoreCredentialsId("registry");
        config.setLedger("ssh://git@git.example.internal/team/ledger.git");
        config.setSigningKeyCredentialsId("release-key");
        config.setPublicKey("-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----");
        config.setDefaultPolicy("approvals:\n  required: 2");
        config.setSigningCertificateCredentialsId("release-certificate");
        config.setTrustedRoot("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----");
        config.setCertificateIdentity("https://ci.example.internal/job/payments/job/main");
        config.setCertificateOidcIssuer("https://issuer.example.internal");
        config.setLedgerCiIdentities("ci@example.internal, ci-2@example.internal");
        config.setLedgerAttestors("jenkins@example.internal");
        config.setLedgerAllowedSigners("ci-2@example.internal ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample");
        config.setEventSigningKeyCredentialsId("ledger-ci-key");
        config.setAttestorKeyCredentialsId("ledger-attestor-key");

        r.configRoundtrip();

        ReleaseGateConfiguration after = ReleaseGateConfiguration.get();
        assertThat(after.getStore()).isEqualTo("oci://registry.example.internal:5000/team");
        assertThat(after.getStoreCredentialsId()).isEqualTo("registry");
        assertThat(after.getLedger()).isEqualTo("ssh://git@git.example.internal/team/ledger.git");
        assertThat(after.getSigningKeyCredentialsId()).isEqualTo("release-key");
        assertThat(after.getPublicKey()).isEqualTo("-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----");
        assertThat(after.getPublicKeyCredentialsId()).isEmpty();
        assertThat(after.getDefaultPolicy()).isEqualTo("approvals:\n  required: 2");
        assertThat(after.getSigningCertificateCredentialsId()).isEqualTo("release-certificate");
        assertThat(after.getTrustedRoot()).isEqualTo("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----");
        assertThat(after.getTrustedRootCredentialsId()).isEmpty();
        assertThat(after.getCertificateIdentity()).isEqualTo("https://ci.example.internal/job/payments/job/main");
        assertThat(after.getCertificateIdentityRegexp()).isEmpty();
        assertThat(after.getCertificateOidcIssuer()).isEqualTo("https://issuer.example.internal");
        assertThat(ReleaseGateConfiguration.list(after.getLedgerCiIdentities()))
                .containsExactly("ci@example.internal", "ci-2@example.internal");
        assertThat(after.getLedgerAttestors()).isEqualTo("jenkins@example.internal");
        assertThat(after.getLedgerAllowedSigners()).isEqualTo("ci-2@example.internal ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample");
        assertThat(after.getLedgerKeyring()).isEmpty();
        assertThat(after.getEventSigningKeyCredentialsId()).isEqualTo("ledger-ci-key");
        assertThat(after.getEventSigningPassphraseCredentialsId()).isEmpty();
        assertThat(after.getAttestorKeyCredentialsId()).isEqualTo("ledger-attestor-key");
        // and it was saved: a fresh instance loads the same values from disk
        assertThat(new ReleaseGateConfiguration().getStore()).isEqualTo("oci://registry.example.internal:5000/team");
    }

    @Test
    @WithJenkinsConfiguredWithCode
    @ConfiguredWithCode("casc.yaml")
    void configurationAsCode(JenkinsConfiguredWithCodeRule r) throws Exception {
        ReleaseGateConfiguration config = ReleaseGateConfiguration.get();
        assertThat(config.getStore()).isEqualTo("oci://registry.example.internal:5000/team");
        assertThat(config.getStoreCredentialsId()).isEqualTo("registry");
        assertThat(config.getLedger()).isEqualTo("ssh://git@git.example.internal/team/ledger.git");
        assertThat(config.getSigningKeyCredentialsId()).isEqualTo("release-signing-key");
        assertThat(config.getPublicKeyCredentialsId()).isEqualTo("release-public-key");
        assertThat(config.getSigningCertificateCredentialsId()).isEqualTo("release-signing-certificate");
        assertThat(config.getTrustedRootCredentialsId()).isEqualTo("release-trusted-root");
        assertThat(config.getCertificateIdentityRegexp()).isEqualTo("https://ci\\.example\\.internal/job/payments/.*");
        assertThat(config.getCertificateOidcIssuer()).isEqualTo("https://issuer.example.internal");
        assertThat(config.getLedgerCiIdentities()).isEqualTo("ci@example.internal");
        assertThat(config.getLedgerAttestors()).isEqualTo("jenkins@example.internal");
        assertThat(config.getEventSigningKeyCredentialsId()).isEqualTo("ledger-ci-key");
        assertThat(config.getAttestorKeyCredentialsId()).isEqualTo("ledger-attestor-key");

        ConfigurationContext context = new ConfigurationContext(ConfiguratorRegistry.get());
        CNode exported = Util.getUnclassifiedRoot(context).get("releaseGate");
        String yaml = Util.toYamlString(exported);
        assertThat(yaml).contains("store: \"oci://registry.example.internal:5000/team\"")
                .contains("storeCredentialsId: \"registry\"")
                .contains("signingKeyCredentialsId: \"release-signing-key\"")
                .contains("publicKeyCredentialsId: \"release-public-key\"")
                .contains("trustedRootCredentialsId: \"release-trusted-root\"")
                .contains("certificateOidcIssuer: \"https://issuer.example.internal\"")
                .contains("attestorKeyCredentialsId: \"ledger-attestor-key\"");
    }
}
