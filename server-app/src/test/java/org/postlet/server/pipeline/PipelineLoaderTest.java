package org.postlet.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineLoaderTest {

    @TempDir
    Path dir;

    /**
     * Found by PipelineLoaderFuzzTest: a key YAML reads as null threw NullPointerException. The
     * loader now reads keys as written, so {@code null} is a parameter name like any other, which
     * the pipeline's checks then judge by the mailet's declared parameters.
     */
    @Test
    void aStepKeyThatYamlReadsAsNullIsKeptAsWritten() throws Exception {
        Path file = dir.resolve("pipeline.yaml");
        Files.writeString(file, """
                processors:
                  - state: root
                    mailets:
                      - { match: All, class: Null, null: x }
                """);
        PipelineDefinition.Step step = new PipelineLoader().load(file).processors().get(0).steps().get(0);
        assertThat(step.mailet()).isEqualTo("Null");
        assertThat(step.parameters()).containsEntry("null", "x");
    }
}
