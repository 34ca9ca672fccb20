package io.releasegate.signing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * RFC 6962 (Certificate Transparency) Merkle tree hashing over SHA-256: leaf hash {@code H(0x00 || d)}, node hash
 * {@code H(0x01 || l || r)}, the root of a list of leaves, audit paths (inclusion proofs) and the recomputation of
 * a root from an audit path (the algorithm of RFC 9162, section 2.1.3.2).
 */
public final class MerkleTree {

    private MerkleTree() {
    }

    public static byte[] leafHash(byte[] data) {
        MessageDigest md = sha256();
        md.update((byte) 0);
        md.update(data);
        return md.digest();
    }

    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest md = sha256();
        md.update((byte) 1);
        md.update(left);
        md.update(right);
        return md.digest();
    }

    /** The root hash of the leaves (already leaf-hashed); the hash of the empty string for no leaf. */
    public static byte[] root(List<byte[]> leafHashes) {
        if (leafHashes.isEmpty()) {
            return sha256().digest();
        }
        if (leafHashes.size() == 1) {
            return leafHashes.get(0);
        }
        int k = split(leafHashes.size());
        return nodeHash(root(leafHashes.subList(0, k)), root(leafHashes.subList(k, leafHashes.size())));
    }

    /** The audit path of leaf {@code index} in the tree of {@code leafHashes}, from the leaf up. */
    public static List<byte[]> inclusionProof(int index, List<byte[]> leafHashes) {
        if (index < 0 || index >= leafHashes.size()) {
            throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + leafHashes.size());
        }
        List<byte[]> path = new ArrayList<>();
        path(index, leafHashes, path);
        return path;
    }

    private static void path(int index, List<byte[]> leaves, List<byte[]> out) {
        if (leaves.size() <= 1) {
            return;
        }
        int k = split(leaves.size());
        if (index < k) {
            path(index, leaves.subList(0, k), out);
            out.add(root(leaves.subList(k, leaves.size())));
        } else {
            path(index - k, leaves.subList(k, leaves.size()), out);
            out.add(root(leaves.subList(0, k)));
        }
    }

    /** The root that an audit path leads to, or empty when the path has the wrong length for the index and size. */
    public static Optional<byte[]> rootFromInclusionProof(long index, long treeSize, byte[] leafHash, List<byte[]> proof) {
        if (index < 0 || index >= treeSize) {
            return Optional.empty();
        }
        long fn = index;
        long sn = treeSize - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return Optional.empty();
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 ? Optional.of(r) : Optional.empty();
    }

    public static boolean verifyInclusion(long index, long treeSize, byte[] leafHash, List<byte[]> proof, byte[] expectedRoot) {
        return rootFromInclusionProof(index, treeSize, leafHash, proof).map(r -> MessageDigest.isEqual(r, expectedRoot)).orElse(false);
    }

    /** The largest power of two smaller than n (n > 1). */
    private static int split(int n) {
        int k = Integer.highestOneBit(n);
        return k == n ? k >> 1 : k;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
