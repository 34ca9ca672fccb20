package io.releasegate.steps;

import io.releasegate.tag.RemoteAccess;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a caller passes to a step beside its argument map and its {@link StepEnvironment}, each from its own trusted
 * source and never from the map: key material (in Jenkins from the credentials store, written to owner-only files for
 * the call), the trust root of certificate verification, the release tag's key, and who approved an emergency change.
 *
 * @param privateKey        the release signing key: a key file or a PKCS#11 URI ({@code sign}, {@code provenance})
 * @param publicKey         its public key (PEM SPKI) ({@code sign} with a key, {@code verifySignatures} with a key)
 * @param certificate       the signing certificate, leaf first, optionally followed by its chain: {@code sign} signs
 *                          in certificate mode when it is given
 * @param trustRoot         {@code trusted_root.json} or a PEM bundle of CA certificates ({@code verifySignatures} in
 *                          certificate mode)
 * @param tag               the release tag's OpenPGP key, its passphrase and the push access ({@code tag})
 * @param emergencyApprover whoever submitted the emergency input ({@code promoteDigest} with an emergency change)
 */
public record TrustedInputs(Optional<Path> privateKey, Optional<Path> publicKey, Optional<Path> certificate, Optional<Path> trustRoot,
                            Optional<TagKey> tag, Optional<String> emergencyApprover) {

    /** The release tag's armored OpenPGP secret key, its passphrase, and how the tag is pushed. */
    public record TagKey(Path armoredKey, char[] passphrase, RemoteAccess access) {

        public TagKey {
            Objects.requireNonNull(armoredKey, "armoredKey");
            Objects.requireNonNull(passphrase, "passphrase");
            Objects.requireNonNull(access, "access");
        }
    }

    public TrustedInputs {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(trustRoot, "trustRoot");
        Objects.requireNonNull(tag, "tag");
        emergencyApprover = emergencyApprover.filter(a -> !a.isBlank());
    }

    /** Nothing: enough for the steps that need no key. */
    public static TrustedInputs none() {
        return new TrustedInputs(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    public TrustedInputs privateKey(Path key) {
        return new TrustedInputs(Optional.of(key), publicKey, certificate, trustRoot, tag, emergencyApprover);
    }

    public TrustedInputs publicKey(Path key) {
        return new TrustedInputs(privateKey, Optional.of(key), certificate, trustRoot, tag, emergencyApprover);
    }

    public TrustedInputs certificate(Path pem) {
        return new TrustedInputs(privateKey, publicKey, Optional.of(pem), trustRoot, tag, emergencyApprover);
    }

    public TrustedInputs trustRoot(Path file) {
        return new TrustedInputs(privateKey, publicKey, certificate, Optional.of(file), tag, emergencyApprover);
    }

    public TrustedInputs tag(Path armoredKey, char[] passphrase, RemoteAccess access) {
        return new TrustedInputs(privateKey, publicKey, certificate, trustRoot, Optional.of(new TagKey(armoredKey, passphrase, access)),
                emergencyApprover);
    }

    /** The approver of an emergency change; blank: none. */
    public TrustedInputs emergencyApprover(String approver) {
        return new TrustedInputs(privateKey, publicKey, certificate, trustRoot, tag, Optional.ofNullable(approver));
    }

    /** The key {@code step} cannot run without; missing: the caller's mistake, not the pipeline's. */
    static <T> T need(Optional<T> value, Step step, String which) {
        return value.orElseThrow(() -> new IllegalStateException(step.stepName() + " needs the " + which + " key"));
    }
}
