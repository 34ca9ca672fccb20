package io.releasegate.signing;

import io.releasegate.error.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the secrets that open a signing key come from: never a command-line argument, always the environment or a
 * file. A key file's passphrase is {@code passphraseFile} or {@value #PASSPHRASE_ENV}; a PKCS#11 token's PIN is
 * {@code pinFile} or {@value #PIN_ENV}; the PKCS#11 module is the URI's {@code module-path} or {@value #MODULE_ENV}.
 * A file's content is the secret, without one trailing line break.
 */
public record KeySecrets(Map<String, String> environment, Optional<Path> passphraseFile, Optional<Path> pinFile) {

    public static final String PASSPHRASE_ENV = "RELEASE_GATE_KEY_PASSPHRASE";
    public static final String PIN_ENV = "RELEASE_GATE_PKCS11_PIN";
    public static final String MODULE_ENV = "RELEASE_GATE_PKCS11_MODULE";

    public KeySecrets {
        environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
        Objects.requireNonNull(passphraseFile, "passphraseFile");
        Objects.requireNonNull(pinFile, "pinFile");
    }

    /** The process environment, no files. */
    public static KeySecrets fromEnvironment() {
        return new KeySecrets(System.getenv(), Optional.empty(), Optional.empty());
    }

    /** The passphrase of an encrypted key file, if one is given. */
    public Optional<char[]> passphrase() {
        return secret(passphraseFile, PASSPHRASE_ENV, "passphrase file");
    }

    /** The PIN of a PKCS#11 token, if one is given. */
    public Optional<char[]> pin() {
        return secret(pinFile, PIN_ENV, "PIN file");
    }

    /** The PKCS#11 module from the environment, if set. */
    public Optional<String> module() {
        return Optional.ofNullable(environment.get(MODULE_ENV)).filter(s -> !s.isBlank());
    }

    private Optional<char[]> secret(Optional<Path> file, String env, String what) {
        if (file.isPresent()) {
            try {
                String s = Files.readString(file.get(), StandardCharsets.UTF_8);
                if (s.endsWith("\n")) {
                    s = s.substring(0, s.length() - (s.endsWith("\r\n") ? 2 : 1));
                }
                return Optional.of(s.toCharArray());
            } catch (NoSuchFileException e) {
                throw new InputException(what + " not found: " + file.get(), e);
            } catch (IOException e) {
                throw new InputException("cannot read the " + what + " " + file.get() + ": " + e.getClass().getSimpleName(), e);
            }
        }
        return Optional.ofNullable(environment.get(env)).filter(s -> !s.isEmpty()).map(String::toCharArray);
    }
}
