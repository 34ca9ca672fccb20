package io.releasegate.error;

/** Bad usage or input, or an environment problem (unreadable file, unreachable registry): exit 2. */
public final class InputException extends ReleaseGateException {

    public InputException(String message) {
        super(message, null);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int exitCode() {
        return 2;
    }
}
