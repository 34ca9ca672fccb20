package io.releasegate.policy;

import io.releasegate.digest.Digest;
import io.releasegate.digest.Digester;
import io.releasegate.error.InputException;
import io.releasegate.error.Refusal;
import io.releasegate.error.RefusedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The admin's central policy: a policy file laid over the library default to make the baseline every team policy
 * may only tighten, and which a production decision may use when the release has no committed policy. Its bytes
 * are pinned: the file is used only while its SHA-256 is the pin ({@code policy.central-pin} otherwise), so a
 * file the admin does not alone control cannot be swapped.
 *
 * @param file the policy file (the same keys as a team policy)
 * @param pin  {@code sha256:<hex>} of the file's bytes, as {@code sha256sum} prints it (with the prefix)
 */
public record CentralPolicy(Path file, String pin) {

    /** The central policy file. */
    public static final String ENV = "RELEASE_GATE_CENTRAL_POLICY";
    /** The SHA-256 of its bytes. */
    public static final String ENV_DIGEST = "RELEASE_GATE_CENTRAL_POLICY_DIGEST";

    public CentralPolicy {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(pin, "pin");
    }

    /** A central policy pinned to {@code pin} ({@code sha256:<hex>}, or the bare hex). */
    public static CentralPolicy of(Path file, String pin) {
        String p = pin.trim().toLowerCase(java.util.Locale.ROOT);
        if (!p.startsWith("sha256:")) {
            p = "sha256:" + p;
        }
        try {
            Digest.parse(p);
        } catch (IllegalArgumentException e) {
            throw new InputException("the central policy's pin '" + pin + "' is not a SHA-256 digest (sha256:<64 hex digits>)", e);
        }
        return new CentralPolicy(file, p);
    }

    /** From {@value #ENV} and {@value #ENV_DIGEST}; empty when neither is set, an input error when only one is. */
    public static Optional<CentralPolicy> fromEnvironment(Map<String, String> env) {
        return of(Optional.ofNullable(env.get(ENV)), Optional.ofNullable(env.get(ENV_DIGEST)));
    }

    /** From a file and a pin, each perhaps blank; empty when neither is given, an input error when only one is. */
    public static Optional<CentralPolicy> of(Optional<String> file, Optional<String> pin) {
        Optional<String> f = file.filter(s -> !s.isBlank());
        Optional<String> d = pin.filter(s -> !s.isBlank());
        if (f.isEmpty() && d.isEmpty()) {
            return Optional.empty();
        }
        if (f.isEmpty()) {
            throw new InputException(ENV_DIGEST + " pins a central policy but " + ENV + " names no file");
        }
        if (d.isEmpty()) {
            throw new InputException("the central policy " + f.get() + " is not pinned: set " + ENV_DIGEST
                    + " to the SHA-256 of its bytes (sha256sum " + f.get() + ")");
        }
        return Optional.of(of(Path.of(f.get()), d.get()));
    }

    /** The file's text, once its bytes are the pinned ones. */
    String read() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InputException("central policy file not found: " + file, e);
        } catch (IOException e) {
            throw new InputException("cannot read the central policy " + file + ": " + e.getMessage(), e);
        }
        String actual = Digester.of(bytes).toString();
        if (!actual.equals(pin)) {
            throw new RefusedException(new Refusal("policy.central-pin", "the central policy " + file + " is " + actual
                    + ", the pin is " + pin, "restore the admin's file, or have the admin pin the new one (" + ENV_DIGEST + ")"));
        }
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }
}
