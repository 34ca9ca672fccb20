package io.releasegate.context;

import io.releasegate.ledger.EventSigner;
import io.releasegate.ledger.GitLedger;
import io.releasegate.ledger.LedgerTrust;
import io.releasegate.ledger.Ledger;
import io.releasegate.store.ArtifactStore;
import io.releasegate.store.StoreCheckpoints;
import io.releasegate.store.OciLayoutStore;
import io.releasegate.store.RegistryCredentials;
import io.releasegate.store.RegistryStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The evidence spine a command works on: one store and one ledger, opened from their locations.
 * Shared by the CLI, the Jenkins steps and the library tests, so that all three resolve locations
 * the same way.
 */
public final class ReleaseContext implements AutoCloseable {

    /** Environment variables holding registry credentials for the CLI. */
    public static final String ENV_REGISTRY_USERNAME = "RELEASE_GATE_REGISTRY_USERNAME";
    public static final String ENV_REGISTRY_PASSWORD = "RELEASE_GATE_REGISTRY_PASSWORD";

    /**
     * @param store    empty for {@code <stateDir>/store}, a directory for an OCI image layout, or
     *                 {@code oci://HOST[:PORT]/NAMESPACE} for a registry
     * @param ledger   empty for {@code <stateDir>/ledger.git}, a local path, or a git remote URL
     * @param stateDir local state directory
     * @param trust    the ledger's trust configuration ({@link LedgerTrust}); empty for trial mode
     * @param signer   the key that signs the events this process records (the CI identity's, or a person's)
     */
    public record Options(String store, String ledger, Path stateDir, Optional<RegistryCredentials> credentials,
                          Optional<Path> trust, Optional<EventSigner> signer) {
        public Options {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(ledger, "ledger");
            Objects.requireNonNull(stateDir, "stateDir");
            Objects.requireNonNull(credentials, "credentials");
            Objects.requireNonNull(trust, "trust");
            Objects.requireNonNull(signer, "signer");
        }

        public Options(String store, String ledger, Path stateDir, Optional<RegistryCredentials> credentials) {
            this(store, ledger, stateDir, credentials, Optional.empty(), Optional.empty());
        }

        /** The embedded defaults under {@code stateDir}. */
        public static Options embedded(Path stateDir) {
            return new Options("", "", stateDir, Optional.empty());
        }

        public Options withTrust(Optional<Path> file) {
            return new Options(store, ledger, stateDir, credentials, file, signer);
        }

        public Options withSigner(Optional<EventSigner> key) {
            return new Options(store, ledger, stateDir, credentials, trust, key);
        }

        /** The ledger's options: its location, this state directory, the trust and the event key. */
        public GitLedger.Options ledgerOptions() {
            return GitLedger.Options.of(ledger, stateDir).withTrust(trust).withSigner(signer);
        }
    }

    private final ArtifactStore store;
    private final Ledger ledger;

    private ReleaseContext(ArtifactStore store, Ledger ledger) {
        this.store = store;
        this.ledger = ledger;
    }

    public static ReleaseContext open(Options options) {
        ArtifactStore store = openStore(options);
        try {
            return new ReleaseContext(store, GitLedger.open(options.ledgerOptions()
                    .withCheckpoints(Optional.of(new StoreCheckpoints(store)))));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public static ArtifactStore openStore(Options options) {
        String uri = options.store();
        if (uri.isBlank()) {
            return OciLayoutStore.open(options.stateDir().resolve("store"));
        }
        if (RegistryStore.handles(uri)) {
            return RegistryStore.open(uri, options.credentials());
        }
        return OciLayoutStore.open(Path.of(uri));
    }

    /** Credentials from {@value #ENV_REGISTRY_USERNAME} and {@value #ENV_REGISTRY_PASSWORD}, when both are set. */
    public static Optional<RegistryCredentials> registryCredentialsFromEnvironment(Map<String, String> env) {
        String user = env.get(ENV_REGISTRY_USERNAME);
        String secret = env.get(ENV_REGISTRY_PASSWORD);
        if (user == null || user.isEmpty() || secret == null) {
            return Optional.empty();
        }
        return Optional.of(new RegistryCredentials(user, secret));
    }

    public ArtifactStore store() {
        return store;
    }

    public Ledger ledger() {
        return ledger;
    }

    @Override
    public void close() {
        try {
            ledger.close();
        } finally {
            store.close();
        }
    }
}
