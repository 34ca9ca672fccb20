package io.releasegate.ledger;

/** Whether one ledger event is asserted by someone allowed to assert it. */
public sealed interface Verification permits Verification.Verified, Verification.Rejected {

    /**
     * The commit's signature verified, by a key the trust configuration lists for {@code principal}, who may
     * assert this event: as the CI identity, as the person named, or as an attestor ({@code attested}) signing
     * that the person named did it.
     */
    record Verified(String principal, String key, boolean attested) implements Verification {
    }

    /**
     * Not believed. {@code rule}: {@code event.unsigned}, {@code event.signature} (does not verify),
     * {@code event.unknown-signer} (no trusted key), {@code event.unauthorized-signer} (a trusted key of
     * someone who may not assert this event).
     */
    record Rejected(String rule, String reason) implements Verification {
    }

    default boolean verified() {
        return this instanceof Verified;
    }
}
