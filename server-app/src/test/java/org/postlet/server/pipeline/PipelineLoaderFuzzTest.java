package org.postlet.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;

/**
 * Fuzzes the pipeline loader with any {@code pipeline.yaml} or {@code pipeline.xml} an operator
 * could write (docs/fuzzing.md): it gives a definition, or problems located in that file, and
 * never another exception.
 */
class PipelineLoaderFuzzTest {

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "3m")
    void yaml(byte[] text) throws Exception {
        load(dir.resolve("pipeline.yaml"), text);
    }

    @FuzzTest(maxDuration = "3m")
    void xml(byte[] text) throws Exception {
        load(dir.resolve("pipeline.xml"), text);
    }

    private static void load(Path file, byte[] text) throws Exception {
        Files.write(file, text);
        PipelineLoader loader = new PipelineLoader();
        try {
            PipelineLoader.Loaded loaded = loader.read(file);
            assertThat(loaded.definition()).isNotNull();
            loaded.problems().forEach(p -> checkProblem(p, file));
        } catch (InvalidConfigException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> checkProblem(p, file));
        }
        try {
            PipelineDefinition definition = loader.load(file);
            assertThat(definition.processors()).allSatisfy(p -> assertThat(p.steps()).allSatisfy(s -> {
                assertThat(s.mailet()).isNotBlank();
                assertThat(s.match()).isNotBlank();
            }));
        } catch (InvalidConfigException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> checkProblem(p, file));
        }
    }

    private static void checkProblem(ConfigProblem p, Path file) {
        assertThat(p.file()).isEqualTo(file);
        assertThat(p.line()).isNotNegative();
        assertThat(p.problem()).isNotBlank();
        assertThat(p.fix()).isNotBlank();
    }
}
