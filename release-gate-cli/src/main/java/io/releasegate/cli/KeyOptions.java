package io.releasegate.cli;

import io.releasegate.signing.KeySecrets;
import io.releasegate.signing.KeySigner;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The signing key of sign and provenance: a key file or a PKCS#11 URI, and where its passphrase or PIN comes from. */
final class KeyOptions {

    @Option(names = "--key", required = true, paramLabel = "KEY",
            description = {"The signing key: a file (PKCS#8, encrypted PKCS#8, SEC1 EC, PKCS#1 RSA, OpenSSH, cosign; ECDSA P-256/P-384,",
                    "RSA >= 2048, Ed25519) or a PKCS#11 URI pkcs11:token=LABEL;object=LABEL[?module-path=MODULE.so] (PIN from",
                    "$" + KeySecrets.PIN_ENV + " or --pin-file, module also from $" + KeySecrets.MODULE_ENV + ")."})
    String key;

    @Option(names = "--key-passphrase-file", paramLabel = "FILE",
            description = "The passphrase of an encrypted key file. Default: $" + KeySecrets.PASSPHRASE_ENV + ".")
    Path passphraseFile;

    @Option(names = "--pin-file", paramLabel = "FILE", description = "The PKCS#11 token's PIN. Default: $" + KeySecrets.PIN_ENV + ".")
    Path pinFile;

    @Option(names = "--rsa-pss", description = "Sign with RSA-PSS (SHA-256, MGF1, salt 32) instead of PKCS#1 v1.5 (RSA keys, key mode).")
    boolean rsaPss;

    /** Opens the key, before anything is read from or written to the store and the ledger. */
    KeySigner signer() {
        KeySigner s = KeySigner.open(key, new KeySecrets(System.getenv(), Optional.ofNullable(passphraseFile), Optional.ofNullable(pinFile)));
        return rsaPss ? s.withRsaPss() : s;
    }
}
