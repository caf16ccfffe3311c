package org.postlet.server.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.pipeline.PipelineDefinition;
import org.postlet.server.pipeline.PipelineLoader;
import org.postlet.server.testing.TestConfiguration;

/**
 * The shipped {@code conf/pipeline.yaml} and {@code conf/pipeline.xml} define the same pipeline.
 * "Shipped" is what the repository commits: a user who follows docs/writing-mailets.md adds a
 * step to their working copy of one of the files, which must not fail the build. Outside a git
 * checkout (a source tarball) the files on disk are compared.
 */
class DefaultPipelineFilesTest {


    @TempDir
    Path dir;

    /** A step without where it was written, so that two files can be compared. */
    record Step(String match, String mailet, java.util.Map<String, String> parameters, String onMailet, String onMatch) {
    }

    record Processor(String state, List<Step> steps) {
    }

    static List<Processor> shape(PipelineDefinition d) {
        return d.processors().stream().map(p -> new Processor(p.state().name(), p.steps().stream()
                .map(s -> new Step(s.match(), s.mailet(), s.parameters(), s.onMailetException().toString(), s.onMatchException().toString()))
                .toList())).toList();
    }

    @Test
    void yamlAndXmlAreTheSamePipeline() throws Exception {
        PipelineLoader loader = new PipelineLoader();
        PipelineDefinition yaml = loader.load(TestConfiguration.committed("conf/pipeline.yaml", dir));
        PipelineDefinition xml = loader.load(TestConfiguration.committed("conf/pipeline.xml", dir));
        assertThat(shape(yaml)).isNotEmpty().isEqualTo(shape(xml));
        assertThat(shape(yaml)).extracting(Processor::state).containsExactly("root", "local", "relay", "unknown-recipient", "error");
    }

}
