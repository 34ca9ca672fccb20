package io.releasegate.cli;

import picocli.CommandLine.Option;

/** {@code -h/--help} for subcommands (which use {@code --version} for the release version). */
final class HelpOption {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;
}
