package io.releasegate.jenkins;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the release tag needs for one remoting call: the armored OpenPGP secret key and its passphrase, the
 * username and password (or token) for an http(s) remote, and the build's ssh variables (an {@code sshagent}
 * socket, {@code GIT_SSH_COMMAND}) for an ssh remote. Never stored in a step execution or action, never printed.
 */
record TagSecrets(byte[] armoredKey, char[] passphrase, String username, String password, TreeMap<String, String> sshEnvironment)
        implements Serializable {

    /** The variables of the build's environment that choose and reach ssh, as git uses them. */
    static final java.util.List<String> SSH_VARIABLES = java.util.List.of("GIT_SSH_COMMAND", "GIT_SSH", "GIT_SSH_VARIANT",
            "SSH_AUTH_SOCK", "SSH_AGENT_PID", "HOME");

    static TreeMap<String, String> sshVariables(Map<String, String> environment) {
        TreeMap<String, String> out = new TreeMap<>();
        for (String key : SSH_VARIABLES) {
            String value = environment.get(key);
            if (value != null && !value.isBlank()) {
                out.put(key, value);
            }
        }
        return out;
    }

    boolean hasLogin() {
        return !username.isEmpty();
    }

    @Override
    public String toString() {
        return "TagSecrets[****]";
    }
}
