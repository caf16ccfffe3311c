package org.postlet.distribution;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The tarball this module built ({@code target/postlet-VERSION.tar.gz}), unpacked with the system's
 * {@code tar} as an operator would (it keeps the executable bit of {@code bin/postlet}).
 */
final class Tarball {

    static final String VERSION = required("postlet.version");
    static final Path FILE = Path.of(required("postlet.tarball"));
    /** The repository checkout the tarball was built from (for the packaging files). */
    static final Path SOURCE = Path.of(required("postlet.source")).toAbsolutePath().normalize();

    private Tarball() {
    }

    /** Unpacks into {@code dir} and returns the installation folder {@code dir/postlet-VERSION}. */
    static Path unpack(Path dir) throws IOException, InterruptedException {
        if (!Files.isRegularFile(FILE)) {
            throw new AssertionError(FILE + " does not exist; run `./mvnw package -pl distribution` first");
        }
        Process tar = new ProcessBuilder("tar", "-xzf", FILE.toString(), "-C", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!tar.waitFor(60, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            throw new AssertionError("tar -xzf " + FILE + " failed:\n" + out);
        }
        Path home = dir.resolve("postlet-" + VERSION);
        if (!Files.isDirectory(home)) {
            throw new AssertionError("the tarball has no top folder postlet-" + VERSION);
        }
        return home;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("system property " + property + " is not set; run this test through failsafe "
                    + "(./mvnw verify -pl distribution)");
        }
        return value;
    }
}
