package io.releasegate.steps;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The arguments of {@link PipelineSteps#verifySignaturesWithCertificate}: the release, and the identity its certificate
 * must name, exactly ({@code certificateIdentity}) or as a regular expression over the whole SAN
 * ({@code certificateIdentityRegexp}), with its OIDC issuer. Blank values are not given; which are required, with the
 * trust root, is checked by the step, which names every one that is missing.
 */
public record VerifyCertificateArgs(String name, String version, String store, String ledger, Optional<String> certificateIdentity,
                                    Optional<String> certificateIdentityRegexp, Optional<String> certificateOidcIssuer) {

    /** The arguments of certificate mode (beside name, version, store, ledger): any of them selects it. */
    public static final Set<String> CERTIFICATE_ARGS = Set.of("certificateIdentity", "certificateIdentityRegexp",
            "certificateOidcIssuer");

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS;

    static {
        Set<String> keys = new TreeSet<>(CERTIFICATE_ARGS);
        keys.addAll(VerifySignaturesArgs.KEYS);
        KEYS = Set.copyOf(keys);
    }

    public static VerifyCertificateArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("verifySignatures", map, KEYS);
        return new VerifyCertificateArgs(a.required("name"), a.required("version"), a.text("store", ""), a.text("ledger", ""),
                a.nonBlank("certificateIdentity"), a.nonBlank("certificateIdentityRegexp"), a.nonBlank("certificateOidcIssuer"));
    }
}
