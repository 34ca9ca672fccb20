package io.releasegate.cli;

import io.releasegate.context.ReleaseContext;
import io.releasegate.ledger.EventSigner;
import java.util.Optional;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the store and ledger are, shared by every command that reads or writes evidence. */
final class CommonOptions {

    @Option(names = "--store", paramLabel = "URI",
            description = {"OCI store: a directory (an OCI image layout) or oci://HOST[:PORT]/NAMESPACE for a registry.",
                    "Default: $RELEASE_GATE_STORE, else <state-dir>/store.",
                    "Registry credentials: RELEASE_GATE_REGISTRY_USERNAME and RELEASE_GATE_REGISTRY_PASSWORD."},
            defaultValue = "${env:RELEASE_GATE_STORE:-}")
    String store;

    @Option(names = "--ledger", paramLabel = "URI",
            description = {"Git ledger: a local bare repository path or any git remote URL.",
                    "Default: $RELEASE_GATE_LEDGER, else <state-dir>/ledger.git."},
            defaultValue = "${env:RELEASE_GATE_LEDGER:-}")
    String ledger;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Local state: embedded store and ledger, ledger caches and witnesses. Default: ${DEFAULT-VALUE}.",
            defaultValue = "${env:RELEASE_GATE_STATE_DIR:-.release-gate}")
    Path stateDir;

    @Option(names = "--trust", paramLabel = "FILE",
            description = {"The ledger's trust configuration (trust.yaml: allowed-signers, OpenPGP keyring, CI principals,",
                    "attestors): whose signed events are believed. Default: $RELEASE_GATE_TRUST, else trial mode",
                    "(a key made on first use, kept with the ledger)."},
            defaultValue = "${env:RELEASE_GATE_TRUST:-}")
    String trust;

    @Option(names = "--event-key", paramLabel = "FILE",
            description = {"The key that signs the events this command records: the CI identity's, or for approve your own",
                    "(an armored OpenPGP secret key or an OpenSSH private key). Default: $RELEASE_GATE_EVENT_KEY;",
                    "its passphrase from $RELEASE_GATE_EVENT_KEY_PASSPHRASE. In trial mode: the trial key."},
            defaultValue = "${env:RELEASE_GATE_EVENT_KEY:-}")
    String eventKey;

    ReleaseContext.Options options() {
        return new ReleaseContext.Options(store == null ? "" : store, ledger == null ? "" : ledger, stateDir,
                ReleaseContext.registryCredentialsFromEnvironment(System.getenv()))
                .withTrust(blank(trust) ? Optional.empty() : Optional.of(Path.of(trust)))
                .withSigner(blank(eventKey) ? Optional.empty() : Optional.of(EventSigner.fromFile(Path.of(eventKey),
                        passphrase())));
    }

    private static char[] passphrase() {
        String p = System.getenv("RELEASE_GATE_EVENT_KEY_PASSPHRASE");
        return p == null ? new char[0] : p.toCharArray();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
