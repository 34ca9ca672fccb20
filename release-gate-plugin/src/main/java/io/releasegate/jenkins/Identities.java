package io.releasegate.jenkins;

import hudson.model.Cause;
import hudson.model.Run;

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
}
