package io.releasegate.cli;

import io.releasegate.context.ReleaseContext;
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

    ReleaseContext.Options options() {
        return new ReleaseContext.Options(store == null ? "" : store, ledger == null ? "" : ledger, stateDir,
                ReleaseContext.registryCredentialsFromEnvironment(System.getenv()));
    }
}
