package org.postlet.server.metrics;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of a health check: one entry per thing checked (each listener, the spool). The
 * server is up when every check passed.
 *
 * @param checks what was checked, in the order to report it
 */
public record Health(List<Check> checks) {

    public Health {
        checks = List.copyOf(checks);
    }

    /**
     * One thing checked.
     *
     * @param name    what was checked, e.g. {@code smtp.mx} or {@code spool}
     * @param problem what is wrong, empty when the check passed
     */
    public record Check(String name, Optional<String> problem) {

        /** A passed check. */
        public static Check ok(String name) {
            return new Check(name, Optional.empty());
        }

        /** A failed check and why, in words an operator can act on. */
        public static Check failed(String name, String problem) {
            return new Check(name, Optional.of(problem));
        }

        /** Whether the check passed. */
        public boolean passed() {
            return problem.isEmpty();
        }
    }

    /** Whether every check passed. */
    public boolean up() {
        return checks.stream().allMatch(Check::passed);
    }

    /** What is wrong, {@code "name: problem"} per failed check. */
    public List<String> problems() {
        return checks.stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.problem().orElseThrow()).toList();
    }
}
