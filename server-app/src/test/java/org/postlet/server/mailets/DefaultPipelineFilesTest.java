package org.postlet.server.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postlet.server.pipeline.PipelineDefinition;
import org.postlet.server.pipeline.PipelineLoader;

/** The shipped {@code conf/pipeline.yaml} and {@code conf/pipeline.xml} define the same pipeline. */
class DefaultPipelineFilesTest {

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
        PipelineDefinition yaml = loader.load(Path.of("..", "conf", "pipeline.yaml"));
        PipelineDefinition xml = loader.load(Path.of("..", "conf", "pipeline.xml"));
        assertThat(shape(yaml)).isNotEmpty().isEqualTo(shape(xml));
        assertThat(shape(yaml)).extracting(Processor::state).containsExactly("root", "local", "relay", "unknown-recipient", "error");
    }
}
