package io.releasegate.cli;

import io.releasegate.json.Json;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;

/**
 * The run the launcher makes its class-data-sharing archive from ({@code -XX:ArchiveClassesAtExit}), once per jar:
 * it builds the model of every command and renders its usage, and touches the JSON mapper, so that the archive holds
 * the classes every command starts with (each command's, Jackson's, JGit's for the history commands) whatever
 * command is run first. It walks a two-commit repository it creates in a temporary directory and deletes, and runs
 * the release-scope checks on it. Prints
 * nothing and records nothing. (picocli's classes cannot be archived: class-file version 49.)
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
        } finally {
            try (var paths = java.nio.file.Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
