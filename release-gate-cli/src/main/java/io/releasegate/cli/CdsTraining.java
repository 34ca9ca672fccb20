package io.releasegate.cli;

import io.releasegate.json.Json;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;

/**
 * The run the launcher makes its class-data-sharing archive from (the classes it loads are listed, then dumped into a
 * static archive), once per jar: it builds the model of every command and renders its usage, and touches the JSON
 * mapper, so that the archive holds the classes every command starts with (each command's, picocli's, Jackson's,
 * JGit's for the history commands) whatever command is run first. It walks a two-commit repository it creates in a
 * temporary directory and deletes, runs the release-scope checks on it, and runs the quick commands a shell step calls
 * most, {@code next-version}, {@code changelog} and {@code verify --key}, as a user would (their output discarded).
 * Prints nothing and records nothing.
 */
final class CdsTraining {

    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        List<String> names = Commands.ALL.stream().map(Commands.Entry::name).toList();
        var cl = Commands.commandLine(new Main(), names);
        PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
        cl.usage(nowhere);
        cl.getSubcommands().values().forEach(sub -> sub.usage(nowhere));
        cl.parseArgs("build-once", "--name", "x", "--version", "1.0.0", "x");
        nowhere.print(Json.pretty(Json.object().put("trained", true)));
        nowhere.flush();
        history();
    }

    /** The quick commands, each run through {@link Main#run} on the training repository and a key made for the run. */
    private static void quickCommands(java.nio.file.Path dir) throws Exception {
        PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
        String repo = dir.toString();
        Main.run(new String[] {"next-version", "--repo", repo}, nowhere, nowhere);
        Main.run(new String[] {"changelog", "--repo", repo, "--bump"}, nowhere, nowhere);
        String[] pem = io.releasegate.signing.KeySigner.generatePem();
        java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("training-key.pem"), pem[0]);
        java.nio.file.Path pub = java.nio.file.Files.writeString(dir.resolve("training-key.pub"), pem[1]);
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("training.bin"), "training\n");
        Main.run(new String[] {"sign", "--key", key.toString(), file.toString()}, nowhere, nowhere);
        Main.run(new String[] {"verify", "--key", pub.toString(), file.toString()}, nowhere, nowhere);
    }

    /** next-version's path through JGit, on a throw-away repository. */
    private static void history() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("release-gate-cds");
        try {
            try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.init().setDirectory(dir.toFile()).setInitialBranch("main")
                    .call()) {
                org.eclipse.jgit.lib.PersonIdent who = new org.eclipse.jgit.lib.PersonIdent("Release Gate", "training@release-gate.invalid");
                git.commit().setMessage("feat: training").setAuthor(who).setCommitter(who).setSign(false).setAllowEmpty(true).call();
                java.nio.file.Files.writeString(dir.resolve("training.txt"), "token = not-a-secret\n");
                git.add().addFilepattern(".").call();
                git.commit().setMessage("docs: training").setAuthor(who).setCommitter(who).setSign(false).call();
            }
            try (io.releasegate.commits.History h = io.releasegate.commits.History.open(dir)) {
                h.lastRelease("HEAD");
                h.range(java.util.Optional.empty(), "HEAD");
                // the release-scope checks' path: the policy (YAML), the diff of each commit, the rules
                io.releasegate.policy.Policy policy = io.releasegate.policy.PolicyLoader.load(java.util.Optional.empty(),
                        java.util.Optional.empty());
                io.releasegate.scope.ReleaseRange range = io.releasegate.scope.ReleaseRange.resolve(h, java.util.Optional.empty());
                new io.releasegate.scope.SecretScan(h.repository()).range(range).call();
                new io.releasegate.scope.RequiredFiles(h.repository()).commit(range.to()).cover(policy.scope().codeownersCover()).call();
                new io.releasegate.scope.FlagScan(h.repository()).range(range).policy(policy.scope()).call();
            }
            quickCommands(dir);
        } finally {
            try (var paths = java.nio.file.Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
