package io.releasegate.ledger;

import java.util.List;
import java.util.Optional;

/**
 * Where signed checkpoints of a ledger's head are published, outside the ledger: somewhere its writer
 * cannot rewrite alone (the OCI store, whose tags are immutable). A checkpoint is a signed git commit
 * object whose parent is the head it vouches for (see {@link GitLedger}); the store keeps its exact bytes.
 */
public interface CheckpointStore {

    /** Where the checkpoints are, for messages. */
    String location();

    /**
     * Publishes the checkpoint of a ledger of {@code size} events. A checkpoint of that size published
     * before is left alone and returned, so that the caller can compare the heads.
     */
    Optional<Published> publish(long size, byte[] signedCommit);

    /** The checkpoint with the largest size, its bytes checked against the digest it is stored under. */
    Optional<Published> newest();

    /** Every published checkpoint, smallest first (for audit). */
    List<Published> all();

    /** A published checkpoint: the ledger size it is for, the signed commit object, where it is. */
    record Published(long size, byte[] signedCommit, String where) {
        public Published {
            signedCommit = signedCommit.clone();
        }

        @Override
        public byte[] signedCommit() {
            return signedCommit.clone();
        }
    }
}
