package io.releasegate.jenkins;

import hudson.model.TaskListener;
import hudson.remoting.VirtualChannel;
import io.releasegate.error.ReleaseGateException;
import io.releasegate.steps.PipelineSteps;
import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jenkins.MasterToSlaveFileCallable;
import hudson.AbortException;

/** Runs buildOnce on the agent that holds the workspace; returns plain, serialisable values. */
final class BuildOnceCallable extends MasterToSlaveFileCallable<HashMap<String, Object>> {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final String version;
    private final String artifacts;
    private final String store;
    private final String ledger;
    private final String actor;
    private final TaskListener listener;

    BuildOnceCallable(String name, String version, String artifacts, String store, String ledger, String actor,
                      TaskListener listener) {
        this.name = name;
        this.version = version;
        this.artifacts = artifacts;
        this.store = store;
        this.ledger = ledger;
        this.actor = actor;
        this.listener = listener;
    }

    @Override
    public HashMap<String, Object> invoke(File workspace, VirtualChannel channel) throws AbortException {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("name", name);
        args.put("version", version);
        args.put("artifacts", artifacts);
        if (!store.isEmpty()) {
            args.put("store", store);
        }
        if (!ledger.isEmpty()) {
            args.put("ledger", ledger);
        }
        try {
            Map<String, Object> result = PipelineSteps.buildOnce(args, workspace.toPath(),
                    workspace.toPath().resolve(".release-gate"), actor, Optional.empty(), new LogProgress(listener));
            HashMap<String, Object> out = new HashMap<>();
            for (Map.Entry<String, Object> e : result.entrySet()) {
                out.put(e.getKey(), e.getValue() instanceof List<?> l ? new ArrayList<>(l.stream()
                        .map(x -> x instanceof Map<?, ?> m ? new HashMap<>(m) : x).toList()) : e.getValue());
            }
            listener.getLogger().println("[release-gate] " + out.get("reference") + " is " + out.get("digest")
                    + " (" + out.get("outcome") + ")");
            return out;
        } catch (ReleaseGateException e) {
            // refusals and input errors fail the step with the core's message, no stack trace
            throw new AbortException("[release-gate] " + e.getMessage());
        }
    }
}
