package io.releasegate.jenkins;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The ledger's trust configuration and the CI key that signs the pipeline's events, for one remoting call. The trust
 * is written as {@code trust.yaml} with its {@code allowed_signers} and {@code keyring.asc} next to it; the key to an
 * owner-only file; all of it deleted when the call returns. Never stored in a step execution or action, never printed.
 * With no trust configured ({@link #TRIAL}) the ledger runs in trial mode.
 *
 * @param ci             principals (SSH) or e-mail addresses (OpenPGP) that may assert the pipeline's events
 * @param attestors      principals that may sign that a person approved (this controller)
 * @param allowedSigners git's allowed-signers lines for the SSH keys
 * @param keyring        armored OpenPGP public keys
 * @param eventKey       the CI key: an armored OpenPGP secret key or an OpenSSH private key (empty: none)
 * @param passphrase     its passphrase (empty: an unprotected key)
 */
record LedgerSecrets(List<String> ci, List<String> attestors, String allowedSigners, String keyring, byte[] eventKey,
                     char[] passphrase) implements Serializable {

    static final LedgerSecrets TRIAL = new LedgerSecrets(List.of(), List.of(), "", "", new byte[0], new char[0]);

    boolean trusted() {
        return !ci.isEmpty();
    }

    boolean hasEventKey() {
        return eventKey.length > 0;
    }

    /** The trust configuration's YAML, naming the key files written beside it. */
    byte[] trustYaml() {
        StringBuilder yaml = new StringBuilder("version: 1\n");
        if (!allowedSigners.isBlank()) {
            yaml.append("allowedSigners: allowed_signers\n");
        }
        if (!keyring.isBlank()) {
            yaml.append("keyring: keyring.asc\n");
        }
        yaml.append("ci: ").append(flow(ci)).append('\n');
        yaml.append("attestors: ").append(flow(attestors)).append('\n');
        return yaml.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A YAML flow sequence of quoted scalars: principals are data, never YAML syntax. */
    private static String flow(List<String> items) {
        StringBuilder out = new StringBuilder("[");
        for (String item : items) {
            if (out.length() > 1) {
                out.append(", ");
            }
            out.append('"').append(item.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return out.append(']').toString();
    }

    @Override
    public String toString() {
        return "LedgerSecrets[ci=" + ci + ", attestors=" + attestors + ", key ****]";
    }
}
