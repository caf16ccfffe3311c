package org.postlet.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.postlet.testsupport.Prerequisites;

/** Runs the Debian python3 with dkimpy and pyspf, the independent implementations the tests compare with. */
public final class Python {

    /** Debian's interpreter, which sees the python3-dkim and python3-spf packages (a pyenv python may not). */
    static final Path PYTHON = Path.of("/usr/bin/python3");

    private Python() {
    }

    /** Skips (locally) or fails (CI) when the module is missing. */
    public static void require(String module, String debianPackage) {
        boolean ok;
        try {
            ok = Files.isExecutable(PYTHON) && new ProcessBuilder(PYTHON.toString(), "-c", "import " + module)
                    .start().waitFor() == 0;
        } catch (IOException e) {
            ok = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
        }
        Prerequisites.require(ok, "python module " + module + " is missing (apt-get install " + debianPackage + ", as .ci/run does)");
    }

    /** Runs a script from the test resources and returns its standard output; a non-zero exit fails. */
    public static String run(String script, String... args) throws IOException, InterruptedException {
        return runWithInput(null, script, args);
    }

    /** Like {@link #run}, with standard input read from {@code input} (when not null). */
    public static String runWithInput(Path input, String script, String... args) throws IOException, InterruptedException {
        Path file = Files.createTempFile("postlet-test", ".py");
        try (var in = Python.class.getResourceAsStream("/" + script)) {
            Files.write(file, in.readAllBytes());
        }
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), file.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (input != null) {
            builder.redirectInput(input.toFile());
        }
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(script + " " + String.join(" ", args) + " failed: " + out);
        }
        Files.delete(file);
        return out;
    }
}
