package io.releasegate.steps;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link PipelineSteps#verifySignaturesWithCertificate} recorded once a bundle of the release and its provenance
 * verified (a failure is a refusal, never a result): the identity of the certificate that did, the issuer asked for,
 * and the two events.
 */
public record CertificateVerifyResult(String identity, String issuer, String event, String provenanceEvent) implements StepResult {

    /** {@code verified: true, mode: certificate, identity, issuer, event, provenanceEvent}. */
    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("verified", true);
        out.put("mode", "certificate");
        out.put("identity", identity);
        out.put("issuer", issuer);
        out.put("event", event);
        out.put("provenanceEvent", provenanceEvent);
        return out;
    }
}
