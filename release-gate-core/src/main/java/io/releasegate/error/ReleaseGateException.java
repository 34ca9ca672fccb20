package io.releasegate.error;

/**
 * Base of every failure the core reports. Two kinds exist and the CLI maps them to exit codes:
 * {@link InputException} (bad usage or input, unreachable service: exit 2) and
 * {@link RefusedException} (the policy refuses: exit 1).
 */
public abstract sealed class ReleaseGateException extends RuntimeException
        permits InputException, RefusedException {

    protected ReleaseGateException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Process exit code the CLI uses for this failure. */
    public abstract int exitCode();
}
