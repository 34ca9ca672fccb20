package io.releasegate.signing;

/** A verification that failed, naming the check ({@code signature.mismatch}, {@code dsse.subject}, …) and why. */
public final class SignatureCheckFailed extends RuntimeException {

    private final String check;

    public SignatureCheckFailed(String check, String message) {
        super(check + ": " + message);
        this.check = check;
    }

    public String check() {
        return check;
    }
}
