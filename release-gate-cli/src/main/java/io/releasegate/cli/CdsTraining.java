package io.releasegate.cli;

import io.releasegate.json.Json;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;

/**
 * The run the launcher makes its class-data-sharing archive from ({@code -XX:ArchiveClassesAtExit}), once per jar:
 * it builds the model of every command and renders its usage, and touches the JSON mapper, so that the archive holds
 * the classes every command starts with (picocli's, each command's, Jackson's) whatever command is run first. Prints
 * nothing and records nothing.
 */
final class CdsTraining {

    private CdsTraining() {
    }

    public static void main(String[] args) {
        List<String> names = Commands.ALL.stream().map(Commands.Entry::name).toList();
        var cl = Commands.commandLine(new Main(), names);
        PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
        cl.usage(nowhere);
        cl.getSubcommands().values().forEach(sub -> sub.usage(nowhere));
        cl.parseArgs("build-once", "--name", "x", "--version", "1.0.0", "x");
        nowhere.print(Json.pretty(Json.object().put("trained", true)));
        nowhere.flush();
    }
}
