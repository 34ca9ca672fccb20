package io.releasegate.steps;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link PipelineSteps#signWithCertificate} recorded: the {@code signed} event, the certificate's identity and OIDC
 * issuer, and the Sigstore bundle stored as an OCI referrer of the release.
 */
public record CertificateSignResult(String event, String identity, Optional<String> issuer, String reference, String bundleDigest)
        implements StepResult {

    /** {@code event, mode: certificate, identity, issuer?, reference, bundleDigest}. */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("event", event);
        out.put("mode", "certificate");
        out.put("identity", identity);
        issuer.ifPresent(i -> out.put("issuer", i));
        out.put("reference", reference);
        out.put("bundleDigest", bundleDigest);
        return out;
    }
}
