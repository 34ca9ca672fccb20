package io.releasegate.tag;

import io.releasegate.ledger.GitLedger;
import io.releasegate.ledger.ProgramSshSessionFactory;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * How the release tag reaches its remote: a username and password (or token) for an http(s) remote,
 * and, for an ssh remote, the ssh program with the environment it needs (e.g. the {@code SSH_AUTH_SOCK}
 * of an agent the build started), so the user's keys, agent and known hosts apply as for {@code git push}.
 * {@link #toString()} never shows the password.
 *
 * @param username    for http(s) remotes; empty: none
 * @param password    the password or token going with {@code username}
 * @param sshCommand  the ssh program and its leading arguments
 * @param environment variables for the ssh program
 */
public record RemoteAccess(Optional<String> username, String password, List<String> sshCommand, Map<String, String> environment) {

    /** No credentials, ssh as git would choose it from this process's environment. */
    public static RemoteAccess fromEnvironment() {
        return ssh(System.getenv());
    }

    /** No credentials, ssh as git would choose it from {@code environment} ({@code GIT_SSH_COMMAND}, {@code GIT_SSH}, ssh). */
    public static RemoteAccess ssh(Map<String, String> environment) {
        return new RemoteAccess(Optional.empty(), "", GitLedger.Options.sshCommand(environment), sshEnvironment(environment));
    }

    public RemoteAccess {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        sshCommand = List.copyOf(sshCommand);
        environment = Map.copyOf(environment);
        if (sshCommand.isEmpty() || sshCommand.get(0).isBlank()) {
            throw new IllegalArgumentException("the ssh command is empty");
        }
    }

    /** The same, with a username and password for http(s) remotes. */
    public RemoteAccess withLogin(String user, String secret) {
        return new RemoteAccess(Optional.of(user), secret, sshCommand, environment);
    }

    /** The variables of {@code environment} an ssh program needs to reach an agent and its configuration. */
    public static Map<String, String> sshEnvironment(Map<String, String> environment) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (String key : List.of("SSH_AUTH_SOCK", "SSH_AGENT_PID", "HOME", "GIT_SSH_VARIANT")) {
            String value = environment.get(key);
            if (value != null && !value.isBlank()) {
                out.put(key, value);
            }
        }
        return out;
    }

    /** Sets the credentials and the ssh program on a transport about to talk to the remote. */
    void configure(Transport transport) {
        username.ifPresent(u -> transport.setCredentialsProvider(new UsernamePasswordCredentialsProvider(u, password)));
        if (transport instanceof SshTransport ssh) {
            ssh.setSshSessionFactory(new ProgramSshSessionFactory(sshCommand, environment));
        }
    }

    @Override
    public String toString() {
        return "RemoteAccess[username=" + username.orElse("") + ", password=****, ssh=" + sshCommand.get(0) + "]";
    }
}
