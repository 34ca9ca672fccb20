package io.releasegate.steps;

import io.releasegate.error.InputException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The arguments of {@link PipelineSteps#verifySignatures} (with a public key): the release to verify. */
public record VerifySignaturesArgs(String name, String version, String store, String ledger) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("name", "version", "store", "ledger");

    /** From a pipeline's map; the arguments of certificate mode ({@link VerifyCertificateArgs}) are an input error here. */
    public static VerifySignaturesArgs of(Map<String, ?> map) {
        Set<String> given = new TreeSet<>(map.keySet());
        given.retainAll(VerifyCertificateArgs.CERTIFICATE_ARGS);
        if (!given.isEmpty()) {
            throw new InputException("verifySignatures: " + given + " belong to certificate mode, which verifies against a trust root "
                    + "(trusted_root.json or a PEM bundle of CA certificates), not a public key");
        }
        StepArgs a = StepArgs.of("verifySignatures", map, KEYS);
        return new VerifySignaturesArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""));
    }
}
