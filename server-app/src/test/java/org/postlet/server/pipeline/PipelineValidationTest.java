package org.postlet.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.ProcessingState;
import org.postlet.server.config.ConfigFiles;
import org.postlet.server.config.ConfigProblem;
import org.postlet.mailet.testkit.RecordingMailetContext;
import org.postlet.server.config.InvalidConfigException;

/**
 * What {@code bin/postlet check} says about a broken pipeline: every problem at once, each on the
 * line an operator has to edit, in YAML (flow and block style) and in XML.
 */
class PipelineValidationTest {

    private static final String RECORD = TestMailets.Record.class.getName();

    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** Loads leniently and builds, as check does once it reports load and build problems together. */
    private List<ConfigProblem> problems(Path file) {
        try {
            PipelineLoader.Loaded loaded = new PipelineLoader().read(file);
            new PipelineBuilder(Guice.createInjector(), getClass().getClassLoader(), RecordingMailetContext.builder().hostname("mx.example.test").localDomains("example.test").build()).build(loaded).destroy();
            return List.of();
        } catch (InvalidConfigException e) {
            return e.problems();
        }
    }

    private static List<String> lines(List<ConfigProblem> problems) {
        return problems.stream().map(p -> p.line() + ": " + p.problem()).toList();
    }

    private Pipeline build(Path file) throws Exception {
        return new PipelineBuilder(Guice.createInjector(), getClass().getClassLoader(), RecordingMailetContext.builder().hostname("mx.example.test").localDomains("example.test").build())
                .build(new PipelineLoader().load(file));
    }

    @Test
    void blockStyleYamlReportsEveryProblemOnTheLineWhereItsStepBegins() throws Exception {
        Path file = write("pipeline.yaml", """
                # a broken pipeline
                processors:
                  - state: root
                    mailets:
                      - match: All
                        class: LogMessage
                      - match: All
                        # the class comes after a comment
                        class: Teleport
                      - class: ToProcessor
                        match: NoSuchMatcher
                        processor: local
                      - match: All
                        class: %1$s
                      - match: All
                        onMailetException: "two words"
                        class: ToProcessor
                        processor: nowhere

                  - state: local
                    mailets:
                      - { match: All, class: Null }

                  - mailets:
                      - { match: All, class: Null }
                    state: orphan
                """.formatted(RECORD));
        assertThat(lines(problems(file))).containsExactly(
                "7: unknown mailet 'Teleport'",
                "10: unknown matcher 'NoSuchMatcher'",
                "13: " + RECORD + " needs the parameter 'id'",
                "15: onMailetException is 'two words': a processor state needs a name without spaces, got 'two words'",
                "15: ToProcessor sends mail to processor 'nowhere', which does not exist",
                "26: processor 'orphan' is never reached: no step sends mail to it");
    }

    @Test
    void xmlReportsTheSameProblemsOnTheLinesOfTheirElements() throws Exception {
        Path file = write("pipeline.xml", """
                <?xml version="1.0"?>
                <processors>
                  <processor state="root">
                    <mailet match="All" class="LogMessage"/>
                    <mailet match="All" class="Teleport"/>
                    <mailet match="NoSuchMatcher"
                            class="ToProcessor">
                      <processor>local</processor>
                    </mailet>
                    <mailet match="All" class="%1$s"/>
                    <mailet match="All" class="ToProcessor"><processor>nowhere</processor></mailet>
                  </processor>
                  <processor state="local">
                    <mailet match="All" class="Null"/>
                  </processor>
                  <processor state="orphan">
                    <mailet match="All" class="Null"/>
                  </processor>
                </processors>
                """.formatted(RECORD));
        List<ConfigProblem> problems = problems(file);
        assertThat(lines(problems)).hasSize(5);
        assertThat(lines(problems).get(0)).isEqualTo("5: unknown mailet 'Teleport'");
        assertThat(lines(problems).get(1)).isEqualTo("6: unknown matcher 'NoSuchMatcher'");
        assertThat(lines(problems).get(2)).startsWith("10: ").contains("needs the parameter 'id'");
        assertThat(lines(problems).get(3)).isEqualTo("11: ToProcessor sends mail to processor 'nowhere', which does not exist");
        assertThat(lines(problems).get(4)).isEqualTo("16: processor 'orphan' is never reached: no step sends mail to it");
        assertThat(problems).allSatisfy(p -> assertThat(p.toString()).matches(".*pipeline\\.xml:\\d+: .+ — .+"));
    }

    @Test
    void aProcessorIsReachedFromRootErrorFailureTargetsAndProcessorNamingParameters() throws Exception {
        Path file = write("pipeline.yaml", """
                processors:
                  - state: root
                    mailets:
                      - { match: All, class: %1$s, id: a, state: by-parameter, onMatchException: on-match }
                      - { match: All, class: Null, onMailetException: on-mailet }
                  - state: by-parameter
                    mailets: [ { match: All, class: Null } ]
                  - state: on-match
                    mailets: [ { match: All, class: Null } ]
                  - state: on-mailet
                    mailets: [ { match: All, class: ToProcessor, processor: chained } ]
                  - state: chained
                    mailets: [ { match: All, class: Null } ]
                  - state: error
                    mailets: [ { match: All, class: ToProcessor, processor: from-error } ]
                  - state: from-error
                    mailets: [ { match: All, class: Null } ]
                """.formatted(RECORD));
        Pipeline p = build(file);
        assertThat(p.states()).hasSize(7);
        p.destroy();
    }

    @Test
    void aProcessorReachedOnlyFromAnUnreachableOneSaysSo() throws Exception {
        Path file = write("pipeline.yaml", """
                processors:
                  - state: root
                    mailets: [ { match: All, class: Null } ]
                  - state: island
                    mailets: [ { match: All, class: ToProcessor, processor: beach } ]
                  - state: beach
                    mailets: [ { match: All, class: ToProcessor, processor: island } ]
                """);
        assertThatThrownBy(() -> build(file)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.problems()).extracting(ConfigProblem::toString).containsExactly(
                        file + ":4: processor 'island' is never reached: only processor(s) 'beach' send mail to it, and no mail"
                                + " reaches them — send mail there from a reachable processor (e.g. a step with class: ToProcessor,"
                                + " processor: island, or onMailetException: island; a custom mailet that routes there needs the"
                                + " state in one of its parameters) or remove the processor",
                        file + ":6: processor 'beach' is never reached: only processor(s) 'island' send mail to it, and no mail"
                                + " reaches them — send mail there from a reachable processor (e.g. a step with class: ToProcessor,"
                                + " processor: beach, or onMailetException: beach; a custom mailet that routes there needs the"
                                + " state in one of its parameters) or remove the processor"));
    }

    @Test
    void withoutRootOnlyTheMissingRootIsReportedNotEveryProcessorAsUnreachable() throws Exception {
        Path file = write("pipeline.yaml", """
                processors:
                  - state: start
                    mailets: [ { match: All, class: Null } ]
                """);
        assertThat(lines(problems(file))).containsExactly("0: there is no 'root' processor, where every mail starts");
    }

    @Test
    void namesCloseToAStandardOneGetASuggestion() throws Exception {
        Path file = write("pipeline.yaml", """
                processors:
                  - state: root
                    mailets:
                      - { match: all, class: LogMesage }
                      - { match: All, class: All }
                      - { match: LogMessage, class: org.postlet.mailets.Null }
                """);
        List<ConfigProblem> problems = problems(file);
        assertThat(problems).extracting(ConfigProblem::toString).anySatisfy(l -> assertThat(l)
                .contains(":4: unknown matcher 'all' — did you mean All?"));
        assertThat(problems).extracting(ConfigProblem::toString).anySatisfy(l -> assertThat(l)
                .contains(":4: unknown mailet 'LogMesage' — did you mean LogMessage?"));
        assertThat(problems).extracting(ConfigProblem::toString).anySatisfy(l -> assertThat(l)
                .contains(":5: unknown mailet 'All' — All is a matcher, not a mailet;"));
        assertThat(problems).extracting(ConfigProblem::toString).anySatisfy(l -> assertThat(l)
                .contains(":6: unknown matcher 'LogMessage' — LogMessage is a mailet, not a matcher;"));
        assertThat(problems).extracting(ConfigProblem::toString).anySatisfy(l -> assertThat(l)
                .contains(":6: mailet class org.postlet.mailets.Null is not on the class path").contains("write just Null"));
        assertThat(problems).hasSize(5);
    }

    @Test
    void unknownKeysOfThePipelineAndItsProcessorsAreReported() throws Exception {
        Path yaml = write("pipeline.yaml", """
                processor:
                  - state: typo
                processors:
                  - state: root
                    folder: Junk
                    mailets: [ { match: All, class: Null } ]
                """);
        assertThat(lines(problems(yaml))).containsExactly("1: unknown key 'processor' in a pipeline",
                "5: unknown key 'folder' in a processor");
        Path xml = write("pipeline.xml", """
                <processors>
                  <processor state="root" mode="fast">
                    <step match="All" class="Null"/>
                  </processor>
                  <state name="x"/>
                </processors>
                """);
        assertThat(lines(problems(xml))).containsExactly("2: unknown attribute 'mode' on <processor>",
                "3: unknown element <step> in a processor", "5: unknown element <state> in a pipeline");
    }

    @Test
    void loadStillFailsFastOnItsOwnProblems() throws Exception {
        Path file = write("pipeline.yaml", """
                processors:
                  - state: root
                    mailets:
                      - { match: All }
                """);
        assertThatThrownBy(() -> new PipelineLoader().load(file)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.problems()).extracting(ConfigProblem::toString)
                        .containsExactly(file + ":4: a step in processor 'root' has no class — add class: <Mailet> to the step"));
    }

    @Test
    void theLinesOfStepsAreRightForBlockStyleEvenWhenClassComesLate() throws Exception {
        Path file = write("pipeline.yaml", """
                processors:
                  - state: root
                    mailets:
                      - match: All
                        headers: "class: not a key"
                        class: LogMessage

                      - match: All
                        class: Null
                """);
        PipelineDefinition def = new PipelineLoader().load(file);
        assertThat(def.processors()).singleElement().satisfies(p -> {
            assertThat(p.state()).isEqualTo(ProcessingState.ROOT);
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.steps()).extracting(PipelineDefinition.Step::line).containsExactly(4, 8);
        });
    }

    @Test
    void anEmptyListParameterIsGivenAsNoneNotLeftOutInYamlAndXml() throws Exception {
        Path yaml = write("pipeline.yaml", """
                processors:
                  - state: root
                    mailets:
                      - { match: All, class: LogMessage, headers: [] }
                      - { match: All, class: LogMessage, headers: [Subject, From] }
                """);
        assertThat(new PipelineLoader().load(yaml).processors().get(0).steps()).extracting(s -> s.parameters().get("headers"))
                .containsExactly("", "Subject, From");
        Path xml = write("pipeline.xml", """
                <processors>
                  <processor state="root">
                    <mailet match="All" class="LogMessage"><headers/></mailet>
                    <mailet match="All" class="LogMessage"><headers>Subject</headers><headers>From</headers></mailet>
                  </processor>
                </processors>
                """);
        assertThat(new PipelineLoader().load(xml).processors().get(0).steps()).extracting(s -> s.parameters().get("headers"))
                .containsExactly("", "Subject, From");
    }

    @Test
    void aHugeFileIsSaidToBeTooLarge() throws Exception {
        Path file = write("pipeline.yaml", "processors:\n" + "#".repeat(ConfigFiles.MAX_BYTES) + "\n");
        assertThatThrownBy(() -> new PipelineLoader().load(file)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(file + ": the file is too large: " + Files.size(file) + " bytes, the limit is 3145728 bytes");
    }
}
