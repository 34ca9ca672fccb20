package io.releasegate.jenkins;

import hudson.AbortException;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * One call of a core entry point from a step execution, on the controller side: fills the store and
 * ledger from the global configuration when the step leaves them empty, looks the secrets up, and
 * runs {@link CoreCallable} on the workspace's agent. Built and used within one {@code run()}: it
 * holds secrets only for the duration of that call and is never persisted.
 */
final class CoreRun {

    private final StepContext context;
    private final Command command;
    private final Map<String, Object> args = new LinkedHashMap<>();
    private String actor = Identities.SYSTEM;
    private KeyMaterial keys = KeyMaterial.NONE;
    private String storeCredentials = "";
    private TagSecrets tag;
    private String emergencyApprover = "";

    CoreRun(StepContext context, Command command) {
        this.context = context;
        this.command = command;
    }

    Run<?, ?> run() throws IOException, InterruptedException {
        Run<?, ?> run = context.get(Run.class);
        if (run == null) {
            throw new AbortException("[release-gate] " + command.stepName() + " runs only in a build");
        }
        return run;
    }

    TaskListener listener() throws IOException, InterruptedException {
        TaskListener listener = context.get(TaskListener.class);
        return listener == null ? TaskListener.NULL : listener;
    }

    /** Adds an argument unless it is null or an empty string. */
    CoreRun arg(String key, Object value) {
        if (value != null && !(value instanceof String s && s.isEmpty())) {
            args.put(key, value);
        }
        return this;
    }

    CoreRun args(Map<String, Object> values) {
        values.forEach(this::arg);
        return this;
    }

    CoreRun actor(String actor) {
        this.actor = actor;
        return this;
    }

    CoreRun keys(KeyMaterial keys) {
        this.keys = keys;
        return this;
    }

    /** The release tag's key, passphrase and push login (tag only). */
    CoreRun tag(TagSecrets secrets) {
        this.tag = secrets;
        return this;
    }

    /** Who approved an emergency change: the submitter of the emergency input, from the build's records. */
    CoreRun emergencyApprover(String approver) {
        this.emergencyApprover = approver;
        return this;
    }

    /** Username/password credentials id for a registry store; empty: the global configuration's. */
    CoreRun storeCredentials(String credentialsId) {
        this.storeCredentials = credentialsId == null ? "" : credentialsId.trim();
        return this;
    }

    /** Store and ledger from the step, else from the global configuration. */
    CoreRun locations(String store, String ledger) {
        ReleaseGateConfiguration config = ReleaseGateConfiguration.get();
        arg("store", store.isEmpty() ? config.getStore() : store);
        arg("ledger", ledger.isEmpty() ? config.getLedger() : ledger);
        return this;
    }

    HashMap<String, Object> call() throws IOException, InterruptedException {
        FilePath workspace = context.get(FilePath.class);
        if (workspace == null) {
            throw new AbortException("[release-gate] " + command.stepName() + " needs a workspace: run it inside node { }");
        }
        ReleaseGateConfiguration config = ReleaseGateConfiguration.get();
        Optional<RegistryLogin> registry = Optional.empty();
        Object store = args.get("store");
        if (store != null && io.releasegate.store.RegistryStore.handles(store.toString())) {
            registry = Secrets.registry(run(), storeCredentials.isEmpty() ? config.getStoreCredentialsId() : storeCredentials);
        }
        return workspace.act(new CoreCallable(command, args, actor, keys, registry, config.getDefaultPolicy(), listener())
                .tag(tag).emergencyApprover(emergencyApprover));
    }
}
