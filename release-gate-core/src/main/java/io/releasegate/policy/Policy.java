package io.releasegate.policy;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The effective release policy: the library default with the team's policy laid over it. */
public record Policy(int version, List<Environment> environments, Gates gates, Approvals approvals, Windows windows,
                     Emergency emergency, Exceptions exceptions, Library library) {

    public Policy {
        environments = List.copyOf(environments);
    }

    public record Environment(String name, List<String> requires) {
        public Environment {
            requires = List.copyOf(requires);
        }
    }

    /** Required gates, the blocking severity, and the license rule (SPDX ids). */
    public record Gates(List<String> required, String blockAt, List<String> allowedLicenses, List<String> deniedLicenses) {
        public Gates {
            required = List.copyOf(required);
            allowedLicenses = List.copyOf(allowedLicenses);
            deniedLicenses = List.copyOf(deniedLicenses);
        }
    }

    public record Approvals(boolean highAssurance, int count, List<String> roles, Map<String, RoleMembers> members) {
        public Approvals {
            roles = List.copyOf(roles);
            members = Map.copyOf(members);
        }
    }

    /** How a role maps to people. */
    public record RoleMembers(List<String> people, Optional<String> structureFile, boolean codeowners) {
        public RoleMembers {
            people = List.copyOf(people);
        }
    }

    public record Windows(String timezone, List<Weekly> weekly, List<LocalDate> blackouts, List<Freeze> freezes) {
        public Windows {
            weekly = List.copyOf(weekly);
            blackouts = List.copyOf(blackouts);
            freezes = List.copyOf(freezes);
        }
    }

    public record Weekly(List<DayOfWeek> days, LocalTime from, LocalTime to) {
        public Weekly {
            days = List.copyOf(days);
        }
    }

    public record Freeze(String name, LocalDate from, LocalDate to, List<String> scope, String exitCriteria) {
        public Freeze {
            scope = List.copyOf(scope);
        }
    }

    public record Emergency(List<String> requires, int reviewWithinDays) {
        public Emergency {
            requires = List.copyOf(requires);
        }
    }

    public record Exceptions(String directory) {
    }

    /**
     * The golden pipeline library: whether the last environment (production) may take a release built by a
     * library loaded from a moving ref (a branch) rather than a {@code vX.Y.Z} tag or a full commit SHA.
     */
    public record Library(boolean allowUnpinned) {
    }

    public Optional<Environment> environment(String name) {
        return environments.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The environment before {@code name}, empty for the first. */
    public Optional<Environment> previous(String name) {
        for (int i = 1; i < environments.size(); i++) {
            if (environments.get(i).name().equals(name)) {
                return Optional.of(environments.get(i - 1));
            }
        }
        return Optional.empty();
    }
}
