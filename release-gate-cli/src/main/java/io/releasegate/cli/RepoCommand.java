package io.releasegate.cli;

import io.releasegate.commits.History;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Base of the commands that read a git repository: --repo, --json, -h. */
abstract class RepoCommand implements Callable<Integer>, Main.JsonAware {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".", description = "The git repository. Default: the current directory.")
    Path repo;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Mixin
    HelpOption help;

    private CliOutput output;

    @Override
    public CliOutput output() {
        return output;
    }

    @Override
    public final Integer call() throws Exception {
        output = new CliOutput(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
        try (History history = History.open(repo)) {
            return run(history, output);
        }
    }

    abstract int run(History history, CliOutput out) throws Exception;
}
