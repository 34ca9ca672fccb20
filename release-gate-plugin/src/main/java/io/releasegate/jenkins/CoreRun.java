package io.releasegate.jenkins;

import hudson.AbortException;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.remoting.VirtualChannel;
import io.releasegate.digest.Digest;
import io.releasegate.ledger.EventAttestation;
import io.releasegate.ledger.EventSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
    private final List<EventAttestation.Expected> attested = new ArrayList<>();
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

    /**
     * A person's event this call records, as the controller itself knows it: {@code type} by {@code person} about
     * {@code name@version} at {@code digest}. With a trusted ledger the controller's attestor signs exactly these and
     * nothing else the agent asks for.
     */
    CoreRun attests(String type, String person, String name, String version, String digest) throws AbortException {
        Digest d;
        try {
            d = Digest.parse(digest);
        } catch (IllegalArgumentException e) {
            throw new AbortException("[release-gate] " + command.stepName() + ": digest '" + digest + "' is not a digest "
                    + "(sha256:<64 hex digits>)");
        }
        attested.add(new EventAttestation.Expected(type, name + "@" + version, d, person));
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
        TaskListener listener = listener();
        Optional<RegistryLogin> registry = Optional.empty();
        Object store = args.get("store");
        if (store != null && io.releasegate.store.RegistryStore.handles(store.toString())) {
            registry = Secrets.registry(run(), storeCredentials.isEmpty() ? config.getStoreCredentialsId() : storeCredentials);
        }
        LedgerSecrets ledger = command.historyOnly() ? LedgerSecrets.TRIAL : Secrets.ledger(run(), config);
        if (!command.historyOnly() && !ledger.trusted()) {
            listener.getLogger().println("[release-gate] ledger: trial mode (no CI identities under Manage Jenkins » System » "
                    + "Release Gate): its events prove nothing against someone who can read the trial key");
        }
        CentralPolicyText central = CentralPolicyText.of(config.getDefaultPolicy());
        CoreCallable callable = new CoreCallable(command, args, actor, keys, registry, central, ledger, listener)
                .tag(tag).emergencyApprover(emergencyApprover);
        ControllerAttestor attestor = null;
        if (!attested.isEmpty() && ledger.trusted()) {
            attestor = new ControllerAttestor(Secrets.attestorKey(run(), config), attested, listener);
            VirtualChannel channel = workspace.getChannel();
            // the agent gets a handle that calls back into this controller; the key stays here
            callable.attestor(channel == null ? attestor : channel.export(EventSigner.Attestor.class, attestor));
        }
        try {
            return workspace.act(callable);
        } finally {
            if (attestor != null) {
                attestor.close();
            }
        }
    }

    /** The controller's central policy and the pin the controller computes for it. */
    record CentralPolicyText(String yaml, String pin) implements java.io.Serializable {
        static CentralPolicyText of(String yaml) {
            return new CentralPolicyText(yaml, yaml.isEmpty() ? ""
                    : io.releasegate.digest.Digester.of(yaml.getBytes(StandardCharsets.UTF_8)).toString());
        }

        boolean present() {
            return !yaml.isEmpty();
        }
    }
}
