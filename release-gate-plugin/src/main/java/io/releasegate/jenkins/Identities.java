package io.releasegate.jenkins;

import hudson.model.Cause;
import hudson.model.Run;
import hudson.model.User;
import java.util.Optional;
import jenkins.model.CauseOfInterruption;
import org.jenkinsci.plugins.workflow.actions.ErrorAction;
import org.jenkinsci.plugins.workflow.flow.FlowExecution;
import org.jenkinsci.plugins.workflow.flow.FlowExecutionOwner;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.graphanalysis.DepthFirstScanner;
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException;
import org.jenkinsci.plugins.workflow.support.steps.input.Rejection;

/** Who is acting, from Jenkins' own records of the build, never from a string the Jenkinsfile passes. */
final class Identities {

    static final String SYSTEM = "jenkins";

    private Identities() {
    }

    /** The user who started the build, or of the first upstream build a user started; else "jenkins". */
    static String releaser(Run<?, ?> run) {
        Run<?, ?> current = run;
        for (int depth = 0; current != null && depth < 20; depth++) {
            Cause.UserIdCause user = current.getCause(Cause.UserIdCause.class);
            if (user != null && user.getUserId() != null) {
                return user.getUserId();
            }
            Cause.UpstreamCause upstream = current.getCause(Cause.UpstreamCause.class);
            current = upstream == null ? null : upstream.getUpstreamRun();
        }
        return SYSTEM;
    }

    /**
     * The user who rejected this build's most recent aborted {@code input}, as pipeline-input-step recorded it (the
     * {@link Rejection} cause of the interruption the input step failed with); empty when no input was rejected by a
     * user (a timeout, or no input at all).
     */
    static Optional<String> rejecter(Run<?, ?> run) {
        if (!(run instanceof FlowExecutionOwner.Executable owned)) {
            return Optional.empty();
        }
        FlowExecution execution;
        try {
            FlowExecutionOwner owner = owned.asFlowExecutionOwner();
            execution = owner == null ? null : owner.get();
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
        if (execution == null) {
            return Optional.empty();
        }
        // the walk starts at the current heads: the first rejected input it meets is the latest
        FlowNode rejected = new DepthFirstScanner().findFirstMatch(execution, node -> rejection(node).isPresent());
        return rejected == null ? Optional.empty() : rejection(rejected);
    }

    private static Optional<String> rejection(FlowNode node) {
        ErrorAction error = node == null ? null : node.getError();
        if (error == null || !(error.getError() instanceof FlowInterruptedException interrupted)) {
            return Optional.empty();
        }
        for (CauseOfInterruption cause : interrupted.getCauses()) {
            if (cause instanceof Rejection r) {
                User user = r.getUser();
                if (user != null) {
                    return Optional.of(user.getId());
                }
            }
        }
        return Optional.empty();
    }
}
