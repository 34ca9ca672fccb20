package io.releasegate.steps;

import java.util.Map;
import java.util.Set;

/**
 * The arguments of {@link PipelineSteps#libraryCheck}: the pipeline library and the ref it was loaded from.
 *
 * @param libraryName    default {@code golden}
 * @param libraryVersion the ref; blank when unknown
 */
public record LibraryCheckArgs(String libraryName, String libraryVersion) {

    /** The arguments a pipeline may pass. */
    public static final Set<String> KEYS = Set.of("libraryName", "libraryVersion");

    public static LibraryCheckArgs of(Map<String, ?> map) {
        StepArgs a = StepArgs.of("libraryCheck", map, KEYS);
        return new LibraryCheckArgs(a.text("libraryName", "golden"), a.text("libraryVersion", ""));
    }
}
