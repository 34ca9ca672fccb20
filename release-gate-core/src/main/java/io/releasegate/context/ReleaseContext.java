package io.releasegate.context;

import io.releasegate.ledger.GitLedger;
import io.releasegate.ledger.Ledger;
import io.releasegate.store.ArtifactStore;
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
     */
    public record Options(String store, String ledger, Path stateDir, Optional<RegistryCredentials> credentials) {
        public Options {
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(ledger, "ledger");
            Objects.requireNonNull(stateDir, "stateDir");
            Objects.requireNonNull(credentials, "credentials");
        }

        /** The embedded defaults under {@code stateDir}. */
        public static Options embedded(Path stateDir) {
            return new Options("", "", stateDir, Optional.empty());
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
            return new ReleaseContext(store, GitLedger.open(options.ledger(), options.stateDir()));
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
