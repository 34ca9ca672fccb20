package io.releasegate.steps;

import io.releasegate.context.ReleaseContext;
import io.releasegate.ledger.EventSigner;
import io.releasegate.policy.CentralPolicy;
import io.releasegate.progress.Progress;
import io.releasegate.signing.KeySecrets;
import io.releasegate.store.RegistryCredentials;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a pipeline step runs with besides its arguments, each from the caller's own trusted source and never from
 * the argument map: the workspace and the local state directory, who acts (the releaser, or the user who submitted
 * an input), the registry login, the ledger's trust configuration and the key that signs the events this step records,
 * the admin's central policy, and where progress goes.
 *
 * @param workspace   the checked-out repository the step works in
 * @param stateDir    the embedded store and ledger when the arguments name none ({@code .release-gate/})
 * @param actor       who this step's events name
 * @param credentials the login of a registry store
 * @param trust       the ledger's trust configuration ({@code trust.yaml}); empty: trial mode
 * @param eventSigner the key that signs the events this step records (in Jenkins the controller's CI credential, and
 *                    for a person's event the controller's attestor)
 * @param central     the admin's central policy: the baseline a team policy may only tighten, and the production policy
 *                    of a release with none committed
 * @param keySecrets  what opens the release signing key: an encrypted key file's passphrase, a PKCS#11 token's PIN
 *                    and module (in Jenkins from credentials, written to owner-only files for the call)
 * @param progress    where long operations report
 */
public record StepEnvironment(Path workspace, Path stateDir, String actor, Optional<RegistryCredentials> credentials,
                              Optional<Path> trust, Optional<EventSigner> eventSigner, Optional<CentralPolicy> central,
                              KeySecrets keySecrets, Progress progress) {

    public StepEnvironment {
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(trust, "trust");
        Objects.requireNonNull(eventSigner, "eventSigner");
        Objects.requireNonNull(central, "central");
        Objects.requireNonNull(keySecrets, "keySecrets");
        Objects.requireNonNull(progress, "progress");
    }

    /**
     * A step in {@code workspace} with its state under {@code stateDir}, acting as {@code actor}; no login, trial-mode
     * ledger, the central policy and the key secrets of the process's environment ({@link CentralPolicy#fromEnvironment},
     * {@link KeySecrets#fromEnvironment}), no progress.
     */
    public static StepEnvironment of(Path workspace, Path stateDir, String actor) {
        return new StepEnvironment(workspace, stateDir, actor, Optional.empty(), Optional.empty(), Optional.empty(),
                CentralPolicy.fromEnvironment(System.getenv()), KeySecrets.fromEnvironment(), Progress.NONE);
    }

    public StepEnvironment actor(String who) {
        return new StepEnvironment(workspace, stateDir, who, credentials, trust, eventSigner, central, keySecrets, progress);
    }

    public StepEnvironment credentials(Optional<RegistryCredentials> login) {
        return new StepEnvironment(workspace, stateDir, actor, login, trust, eventSigner, central, keySecrets, progress);
    }

    public StepEnvironment trust(Optional<Path> file) {
        return new StepEnvironment(workspace, stateDir, actor, credentials, file, eventSigner, central, keySecrets, progress);
    }

    public StepEnvironment eventSigner(Optional<EventSigner> key) {
        return new StepEnvironment(workspace, stateDir, actor, credentials, trust, key, central, keySecrets, progress);
    }

    public StepEnvironment central(Optional<CentralPolicy> policy) {
        return new StepEnvironment(workspace, stateDir, actor, credentials, trust, eventSigner, policy, keySecrets, progress);
    }

    public StepEnvironment keySecrets(KeySecrets secrets) {
        return new StepEnvironment(workspace, stateDir, actor, credentials, trust, eventSigner, central, secrets, progress);
    }

    public StepEnvironment progress(Progress to) {
        return new StepEnvironment(workspace, stateDir, actor, credentials, trust, eventSigner, central, keySecrets, to);
    }

    /** The evidence spine's options for a step whose arguments name {@code store} and {@code ledger} (blank: embedded). */
    ReleaseContext.Options context(String store, String ledger) {
        return new ReleaseContext.Options(store, ledger, stateDir, credentials, trust, eventSigner);
    }
}
