package org.postlet.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (a tool, root, a mount). On a developer's machine a missing
 * prerequisite skips the test with the reason; in CI ({@code CI=true}) it fails the test with the
 * same reason, so a green build never hides a test that did not run.
 */
public final class Prerequisites {

    private final boolean ci;

    private Prerequisites(boolean ci) {
        this.ci = ci;
    }

    /** The rule for this run, from the environment variable {@code CI}. */
    public static Prerequisites ofEnvironment() {
        return of(System.getenv());
    }

    /** The rule for an environment; {@code CI=true} (any case) means CI. */
    public static Prerequisites of(Map<String, String> environment) {
        return new Prerequisites("true".equalsIgnoreCase(environment.getOrDefault("CI", "")));
    }

    /** Shorthand for {@code ofEnvironment().check(met, reason)}. */
    public static void require(boolean met, String reason) {
        ofEnvironment().check(met, reason);
    }

    /** Shorthand for {@code require(onPath(command), ...)}, naming the Debian package that has it. */
    public static void requireCommand(String command, String debianPackage) {
        require(onPath(command), command + " is not installed (apt-get install " + debianPackage + ", as .ci/run does)");
    }

    /**
     * Returns when {@code met}; otherwise skips the test (locally) or fails it (in CI), saying
     * {@code reason}.
     */
    public void check(boolean met, String reason) {
        if (met) {
            return;
        }
        if (ci) {
            throw new MissingPrerequisite("CI=true and a prerequisite of this test is missing: " + reason);
        }
        Assumptions.abort("skipped, prerequisite missing (in CI this fails): " + reason);
    }

    /** Whether an executable of that name is on the PATH. */
    public static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(d -> !d.isEmpty())
                .anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }

    /** Whether the process runs as root (uid 0), which mounting and starting Dovecot need. */
    public static boolean root() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && out.equals("0");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A test's prerequisite is missing where it must not be (CI). */
    public static final class MissingPrerequisite extends AssertionError {
        MissingPrerequisite(String message) {
            super(message);
        }
    }
}
