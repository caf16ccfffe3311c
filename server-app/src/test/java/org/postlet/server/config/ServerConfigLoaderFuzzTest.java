package org.postlet.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the loader of {@code postlet.yaml} and {@code postlet.xml} with any text an operator
 * could write (docs/fuzzing.md): it gives a configuration, or {@link InvalidConfigException} with
 * problems located in that file, and never another exception.
 */
class ServerConfigLoaderFuzzTest {

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "3m")
    void postletYaml(byte[] text) throws Exception {
        load("yaml", "xml", text);
    }

    @FuzzTest(maxDuration = "3m")
    void postletXml(byte[] text) throws Exception {
        load("xml", "yaml", text);
    }

    private static void load(String extension, String other, byte[] text) throws Exception {
        Path conf = Files.createDirectories(dir.resolve(extension));
        Files.deleteIfExists(conf.resolve("postlet." + other));
        Path file = conf.resolve("postlet." + extension);
        Files.write(file, text);
        Files.writeString(conf.resolve("users.passwd"), "alice@example.test:{PLAIN}secret\n");
        try {
            ServerConfig config = new ServerConfigLoader().load(conf);
            assertThat(config.smtp().listeners()).isNotEmpty();
        } catch (InvalidConfigException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> {
                assertThat(p.file()).isEqualTo(file);
                assertThat(p.line()).isNotNegative();
                assertThat(p.problem()).isNotBlank();
                assertThat(p.fix()).isNotBlank();
            });
        }
    }
}
