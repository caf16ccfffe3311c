package org.postlet.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailet.testkit.RecordingMailetContext;
import org.postlet.server.config.InvalidConfigException;
import org.postlet.queue.Lease;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MessageContent;
import org.postlet.queue.Origin;

/**
 * The engine's semantics (docs/pipeline.md), each scenario run from YAML and from XML: both formats
 * must give the same behaviour.
 */
class PipelineEngineTest {

    private static final String RECORD = TestMailets.Record.class.getName();
    private static final String FAIL = TestMailets.Fail.class.getName();
    private static final String STARTS = TestMailets.LocalPartStartsWith.class.getName();
    private static final String FAILING_MATCHER = TestMailets.FailingMatcher.class.getName();
    private static final String LOOP = TestMailets.Loop.class.getName();

    @TempDir
    Path dir;

    private final Injector injector = Guice.createInjector();
    private final Recorder recorder = injector.getInstance(Recorder.class);

    /** A step: matcher expression, mailet class, then parameter name/value pairs. */
    private record S(String match, String mailet, String... params) {
    }

    private record P(String state, S... steps) {
    }

    private Pipeline pipeline(String format, P... processors) throws Exception {
        Path file = dir.resolve("pipeline." + format);
        Files.writeString(file, format.equals("yaml") ? yaml(processors) : xml(processors), StandardCharsets.UTF_8);
        PipelineDefinition def = new PipelineLoader().load(file);
        return new PipelineBuilder(injector, getClass().getClassLoader(), RecordingMailetContext.builder().hostname("mx.example.test").localDomains("example.test").build()).build(def);
    }

    private static String yaml(P... processors) {
        StringBuilder b = new StringBuilder("processors:\n");
        for (P p : processors) {
            b.append("  - state: ").append(p.state).append("\n    mailets:\n");
            for (S s : p.steps) {
                b.append("      - match: \"").append(s.match).append("\"\n        class: ").append(s.mailet).append('\n');
                for (int i = 0; i < s.params.length; i += 2) {
                    b.append("        ").append(s.params[i]).append(": \"").append(s.params[i + 1]).append("\"\n");
                }
            }
        }
        return b.toString();
    }

    private static String xml(P... processors) {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\"?>\n<processors>\n");
        for (P p : processors) {
            b.append("  <processor state=\"").append(p.state).append("\">\n");
            for (S s : p.steps) {
                b.append("    <mailet match=\"").append(s.match).append("\" class=\"").append(s.mailet).append("\">");
                for (int i = 0; i < s.params.length; i += 2) {
                    b.append('<').append(s.params[i]).append('>').append(s.params[i + 1]).append("</").append(s.params[i]).append('>');
                }
                b.append("</mailet>\n");
            }
            b.append("  </processor>\n");
        }
        return b.append("</processors>\n").toString();
    }

    private QueuedMail mail(String... localParts) throws IOException {
        byte[] message = "Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        List<MailAddress> rcpts = new ArrayList<>();
        for (String l : localParts) {
            rcpts.add(new MailAddress(l, "example.test"));
        }
        MailEnvelope env = new MailEnvelope(Optional.of(new MailAddress("sender", "example.com")), rcpts,
                new Origin.SmtpSession("client.example", "127.0.0.1", 40000, Optional.empty(), Optional.empty(), "mx"), Instant.now());
        return new QueuedMail(new Lease("Q1", env, ProcessingState.ROOT, Map.of(), rcpts, Optional.empty(), false,
                MessageContent.of(message)), Clock.systemUTC());
    }

    @ParameterizedTest
    @ValueSource(strings = {"yaml", "xml"})
    void matcherSplitsTheMailAndEachPartGoesOn(String format) throws Exception {
        Pipeline p = pipeline(format,
                new P("root",
                        new S(STARTS + "=a", RECORD, "id", "a-part", "state", "local"),
                        new S("All", RECORD, "id", "rest", "state", "ghost")),
                new P("local", new S("All", RECORD, "id", "local", "state", "ghost")));
        QueuedMail mail = mail("alice", "bob", "anna");
        p.process(mail);
        assertThat(recorder.events).containsExactly("a-part:Q1-1:alice,anna", "rest:Q1:bob", "local:Q1-1:alice,anna");
        assertThat(mail.state()).isEqualTo(ProcessingState.GHOST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yaml", "xml"})
    void mailContinuesWithTheNextStepWhenTheMailetKeepsTheState(String format) throws Exception {
        Pipeline p = pipeline(format, new P("root",
                new S("All", RECORD, "id", "one"),
                new S(STARTS + "=zzz", RECORD, "id", "never"),
                new S("All", RECORD, "id", "two", "state", "ghost")));
        p.process(mail("alice"));
        assertThat(recorder.events).containsExactly("one:Q1:alice", "two:Q1:alice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yaml", "xml"})
    void mailFallingOffTheEndOfAProcessorEnds(String format) throws Exception {
        Pipeline p = pipeline(format, new P("root", new S("All", RECORD, "id", "only")));
        QueuedMail mail = mail("alice");
        p.process(mail);
        assertThat(mail.state()).isEqualTo(ProcessingState.GHOST);
        assertThat(recorder.events).containsExactly("only:Q1:alice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yaml", "xml"})
    void failingMailetSendsTheMailToErrorWithTheReason(String format) throws Exception {
        Pipeline p = pipeline(format,
                new P("root", new S("All", FAIL), new S("All", RECORD, "id", "after")),
                new P("error", new S("All", RECORD, "id", "error", "state", "ghost")));
        QueuedMail mail = mail("alice");
        p.process(mail);
        assertThat(recorder.events).containsExactly("error:Q1:alice");
        assertThat(mail.errorMessage()).hasValueSatisfying(m -> assertThat(m).contains("boom").contains("root[0]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"yaml", "xml"})
    void onMailetExceptionIgnoreAndState(String format) throws Exception {
        Pipeline p = pipeline(format,
                new P("root",
                        new S("All", FAIL, "onMailetException", "ignore"),
                        new S("All", RECORD, "id", "after-ignore"),
                        new S("All", FAIL, "onMailetException", "quarantine")),
                new P("quarantine", new S("All", RECORD, "id", "quarantine", "state", "ghost")));
        p.process(mail("alice"));
        assertThat(recorder.events).containsExactly("after-ignore:Q1:alice", "quarantine:Q1:alice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yaml", "xml"})
    void onMailetExceptionPropagateStopsProcessingAndHandsTheFailureToTheCaller(String format) throws Exception {
        // That the caller keeps the mail queued and retries it: QueueRunnerTest.
        Pipeline p = pipeline(format,
                new P("root", new S("All", FAIL, "onMailetException", "propagate"), new S("All", RECORD, "id", "after")),
                new P("error", new S("All", RECORD, "id", "error", "state", "ghost")));
        QueuedMail mail = mail("alice");
        assertThatThrownBy(() -> p.process(mail)).isInstanceOf(Pipeline.PropagatedFailure.class)
                .hasMessageContaining("boom");
        assertThat(recorder.events).as("neither the next step nor the error processor ran").isEmpty();
        assertThat(mail.state()).isEqualTo(ProcessingState.ROOT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yaml", "xml"})
    void failingMatcherFollowsOnMatchException(String format) throws Exception {
        Pipeline p = pipeline(format,
                new P("root",
                        new S(FAILING_MATCHER, RECORD, "id", "skipped", "onMatchException", "ignore"),
                        new S("All", RECORD, "id", "after-ignore"),
                        new S(FAILING_MATCHER, RECORD, "id", "never")),
                new P("error", new S("All", RECORD, "id", "error", "state", "ghost")));
        QueuedMail mail = mail("alice");
        p.process(mail);
        // ignore: the step is skipped and the mail goes on; the default (error) moves it to error.
        assertThat(recorder.events).containsExactly("after-ignore:Q1:alice", "error:Q1:alice");
        assertThat(mail.errorMessage()).hasValueSatisfying(m -> assertThat(m).contains("matcher boom").contains("root[2]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"yaml", "xml"})
    void expressionsCombineRecipientSets(String format) throws Exception {
        Pipeline p = pipeline(format, new P("root",
                new S(STARTS + "=a and not " + STARTS + "=an", RECORD, "id", "and-not", "state", "ghost"),
                new S("(" + STARTS + "=b or " + STARTS + "=c)", RECORD, "id", "or", "state", "ghost"),
                new S("All", RECORD, "id", "rest", "state", "ghost")));
        p.process(mail("alice", "anna", "bob", "carol", "dave"));
        assertThat(recorder.events).containsExactly("and-not:Q1-1:alice", "or:Q1-2:bob,carol", "rest:Q1:anna,dave");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yaml", "xml"})
    void loopingPipelineEndsInErrorWithAClearMessage(String format) throws Exception {
        Pipeline p = pipeline(format,
                new P("root", new S("All", LOOP, "to", "other")),
                new P("other", new S("All", LOOP, "to", "root")),
                new P("error", new S("All", RECORD, "id", "error", "state", "ghost")));
        QueuedMail mail = mail("alice");
        p.process(mail);
        assertThat(recorder.events).containsExactly("error:Q1:alice");
        assertThat(mail.errorMessage()).hasValueSatisfying(m -> assertThat(m).contains("loops"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"yaml", "xml"})
    void everyProblemIsReportedAtOnceWithItsLine(String format) {
        assertThatThrownBy(() -> pipeline(format,
                new P("local",
                        new S("All", "NoSuchMailet"),
                        new S("NoSuchMatcher", RECORD, "id", "x"),
                        new S("All", RECORD),
                        new S("All", "ToProcessor", "processor", "nowhere"),
                        new S("All and (", RECORD, "id", "y"))))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    List<String> lines = e.problems().stream().map(Object::toString).toList();
                    assertThat(lines).anySatisfy(l -> assertThat(l).contains("no 'root' processor"));
                    assertThat(lines).anySatisfy(l -> assertThat(l).contains("unknown mailet 'NoSuchMailet'").contains("docs/mailets.md"));
                    assertThat(lines).anySatisfy(l -> assertThat(l).contains("unknown matcher 'NoSuchMatcher'"));
                    assertThat(lines).anySatisfy(l -> assertThat(l).contains("needs the parameter 'id'"));
                    assertThat(lines).anySatisfy(l -> assertThat(l).contains("processor 'nowhere'"));
                    assertThat(lines).anySatisfy(l -> assertThat(l).contains("ends too early"));
                    assertThat(e.problems()).hasSize(6);
                    assertThat(e.problems()).filteredOn(pr -> pr.line() == 0).hasSize(1); // only the missing root
                    assertThat(lines).allSatisfy(l -> assertThat(l).matches("(?s).*pipeline\\." + format + "(:\\d+)?: .+ — .+"));
                });
    }
}
