package io.releasegate.ledger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteSession;
import org.eclipse.jgit.transport.RemoteSession2;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FS;

/**
 * Git over ssh through an ssh program, as the git command line does it: the program is run as
 * {@code PROGRAM [-p PORT] [USER@]HOST COMMAND}, so the user's ssh configuration, keys, agent and
 * known hosts apply unchanged (and a Jenkins {@code sshagent} or {@code GIT_SSH} wrapper works).
 * OpenSSH itself is run in batch mode: a ledger write in CI fails rather than waits for a prompt.
 * Used for the ledger and for pushing release tags.
 */
public final class ProgramSshSessionFactory extends SshSessionFactory {

    private static final int DIAGNOSTICS_LIMIT = 16 * 1024;

    private final List<String> program;
    private final Map<String, String> environment;
    private volatile String diagnostics = "";

    ProgramSshSessionFactory(List<String> program) {
        this(program, Map.of());
    }

    /**
     * @param program     the ssh program with any leading arguments (see {@code GitLedger.Options#sshCommand})
     * @param environment variables added to the program's environment, e.g. the {@code SSH_AUTH_SOCK} of an
     *                    agent the build started; they are not logged
     */
    public ProgramSshSessionFactory(List<String> program, Map<String, String> environment) {
        if (program.isEmpty()) {
            throw new IllegalArgumentException("the ssh command is empty");
        }
        this.program = List.copyOf(program);
        this.environment = Map.copyOf(environment);
    }

    @Override
    public RemoteSession getSession(URIish uri, CredentialsProvider credentials, FS fs, int timeoutMillis)
            throws TransportException {
        String host = Objects.requireNonNullElse(uri.getHost(), "");
        String user = Objects.requireNonNullElse(uri.getUser(), "");
        // an argument starting with '-' would be read by ssh as an option (e.g. -oProxyCommand=...)
        if (host.isEmpty() || host.startsWith("-") || user.startsWith("-")) {
            throw new TransportException(uri, "refusing ssh host '" + host + "' and user '" + user + "'");
        }
        return new ProgramSession(uri, user.isEmpty() ? host : user + "@" + host);
    }

    /**
     * What the ssh program of the last command printed on its standard error (bounded), complete once
     * its standard output ended: "Permission denied (publickey)." and the like, which a failed fetch or
     * push must show. Empty when it printed nothing.
     */
    public String diagnostics() {
        return diagnostics.strip();
    }

    @Override
    public String getType() {
        return "program";
    }

    /** The argument vector for one remote command. */
    List<String> command(URIish uri, String destination, String remoteCommand) {
        List<String> argv = new ArrayList<>(program);
        if (program.equals(List.of("ssh"))) {
            argv.addAll(List.of("-o", "BatchMode=yes"));
        }
        if (uri.getPort() > 0) {
            argv.addAll(List.of("-p", Integer.toString(uri.getPort())));
        }
        argv.add(destination);
        argv.add(remoteCommand);
        return argv;
    }

    private final class ProgramSession implements RemoteSession2 {

        private final URIish uri;
        private final String destination;

        ProgramSession(URIish uri, String destination) {
            this.uri = uri;
            this.destination = destination;
        }

        @Override
        public Process exec(String remoteCommand, int timeout) throws IOException {
            return exec(remoteCommand, Map.of(), timeout);
        }

        @Override
        public Process exec(String remoteCommand, Map<String, String> environment, int timeout) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command(uri, destination, remoteCommand));
            Map<String, String> env = new HashMap<>(ProgramSshSessionFactory.this.environment);
            env.putAll(environment);
            pb.environment().putAll(env);
            try {
                return new CapturedProcess(pb.start());
            } catch (IOException e) {
                throw new TransportException(uri, "cannot run " + program.get(0) + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void disconnect() {
            // each command is its own process, ended by the connection that started it
        }
    }

    /**
     * The ssh process with its standard error read here rather than by the transport: the end of its
     * standard output waits (bounded) for standard error to end too, so that when the transport fails
     * on that end, {@link #diagnostics()} already holds everything ssh said.
     */
    private final class CapturedProcess extends Process {

        private final Process process;
        private final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        private final Thread pump;
        private final java.io.InputStream out;

        CapturedProcess(Process process) {
            this.process = process;
            diagnostics = "";
            this.pump = new Thread(this::pumpErrors, "ssh-stderr");
            pump.setDaemon(true);
            pump.start();
            this.out = new java.io.FilterInputStream(process.getInputStream()) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b < 0) {
                        awaitErrors();
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = super.read(buf, off, len);
                    if (n < 0) {
                        awaitErrors();
                    }
                    return n;
                }
            };
        }

        private void pumpErrors() {
            byte[] buf = new byte[4096];
            try (java.io.InputStream in = process.getErrorStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    synchronized (err) {
                        if (err.size() < DIAGNOSTICS_LIMIT) {
                            err.write(buf, 0, Math.min(n, DIAGNOSTICS_LIMIT - err.size()));
                            diagnostics = err.toString(java.nio.charset.StandardCharsets.UTF_8);
                        }
                    }
                }
            } catch (IOException e) {
                // the stream closed with the process: what was read is kept
            }
        }

        private void awaitErrors() {
            try {
                pump.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public java.io.OutputStream getOutputStream() {
            return process.getOutputStream();
        }

        @Override
        public java.io.InputStream getInputStream() {
            return out;
        }

        @Override
        public java.io.InputStream getErrorStream() {
            return java.io.InputStream.nullInputStream();
        }

        @Override
        public int waitFor() throws InterruptedException {
            int code = process.waitFor();
            pump.join(5_000);
            return code;
        }

        /**
         * The program's exit status. JGit asks for it as soon as the program's output ends, which can be a moment before
         * the program has exited: then it waits for that moment (a few seconds at most) rather than failing the call.
         */
        @Override
        public int exitValue() {
            try {
                return process.exitValue();
            } catch (IllegalThreadStateException running) {
                try {
                    if (process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                        return process.exitValue();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw running;
            }
        }

        @Override
        public void destroy() {
            process.destroy();
        }
    }
}
