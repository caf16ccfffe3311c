package org.postlet.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;

class PipelineLoaderTest {

    @TempDir
    Path dir;

    /** Found by PipelineLoaderFuzzTest: a key YAML reads as null threw NullPointerException. */
    @Test
    void aStepKeyThatYamlReadsAsNullIsAProblemOnItsLine() throws Exception {
        Path file = dir.resolve("pipeline.yaml");
        Files.writeString(file, """
                processors:
                  - state: root
                    mailets:
                      - { match: All, class: Null, null: x }
                """);
        assertThatThrownBy(() -> new PipelineLoader().load(file)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.problems()).extracting(ConfigProblem::toString).containsExactly(file
                        + ":4: a step in processor 'root' has a key that YAML reads as null (an unquoted null or ~)"
                        + " — quote the key, e.g. \"null\": …, or remove it"));
    }
}
