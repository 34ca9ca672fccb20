package io.releasegate.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Base of simple commands: --json, -h, and failures reported as JSON when asked. */
abstract class JsonCommand implements Callable<Integer>, Main.JsonAware {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

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
        return run(output);
    }

    abstract int run(CliOutput out) throws Exception;

    /**
     * Prints {@code text} or, with --json, the document {@code document} makes: without --json no JSON is built (the
     * JSON library's classes stay off the start path of a quick command).
     */
    void printLazily(CliOutput out, String text, java.util.function.Supplier<?> document) {
        if (out.json()) {
            out.document(document.get());
        } else {
            out.out().println(text);
            out.out().flush();
        }
    }

    /** Prints {@code text} or, with --json, the document. */
    void print(CliOutput out, String text, Object document) {
        printLazily(out, text, () -> document);
    }
}
