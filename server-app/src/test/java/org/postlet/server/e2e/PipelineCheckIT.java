package org.postlet.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/postlet check} on deliberately broken pipelines, YAML in block style and XML: every
 * problem is printed at once, each as {@code FILE:LINE: problem — fix} with the line an operator
 * has to edit, and the exit code is 1.
 */
class PipelineCheckIT {

    private static final Path LAUNCHER = Path.of("..").toAbsolutePath().normalize().resolve("bin/postlet");

    @TempDir
    Path dir;

    private static Result check(Path conf) throws Exception {
        Process p = new ProcessBuilder(LAUNCHER.toString(), "check", "--conf", conf.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out.lines().toList());
    }

    private record Result(int exit, List<String> lines) {
    }

    private TestInstallation installation(String pipelineFile, String text) throws IOException {
        TestInstallation inst = new TestInstallation(dir, 2525);
        Files.writeString(inst.conf.resolve(pipelineFile), text);
        Path postlet = inst.conf.resolve("postlet.yaml");
        Files.writeString(postlet, Files.readString(postlet).replace("pipeline: pipeline.yaml", "pipeline: " + pipelineFile));
        return inst;
    }

    @Test
    void aBrokenYamlPipelineGetsEveryProblemWithItsLine() throws Exception {
        TestInstallation inst = installation("pipeline.yaml", """
                processors:
                  - state: root
                    mailets:
                      - match: All
                        class: LogMessage
                      - match: All
                        class: Teleport
                      - match: RecipientIsLokal
                        class: LocalDelivery
                      - match: All
                        class: ToProcessor
                      - match: All
                        class: ToProcessor
                        processor: nowhere
                  - state: error
                    mailets:
                      - { match: All, class: LogMessage }
                  - state: forgotten
                    mailets:
                      - { match: All, class: LogMessage }
                """);
        Result r = check(inst.conf);
        String file = inst.conf.resolve("pipeline.yaml").toString();
        assertThat(r.exit()).as(String.join("\n", r.lines())).isEqualTo(1);
        assertThat(r.lines()).containsSubsequence(
                file + ":6: unknown mailet 'Teleport' — use a standard mailet (listed in docs/mailets.md) or a fully qualified class name from a jar in lib/ext",
                file + ":8: unknown matcher 'RecipientIsLokal' — did you mean RecipientIsLocal? use a standard matcher (listed in docs/mailets.md) or a fully qualified class name from a jar in lib/ext",
                file + ":10: ToProcessor needs the parameter 'processor' — add processor: <value> to the step",
                file + ":12: ToProcessor sends mail to processor 'nowhere', which does not exist — add a processor with state: nowhere or name an existing one",
                file + ":18: processor 'forgotten' is never reached: no step sends mail to it — send mail there from a reachable"
                        + " processor (e.g. a step with class: ToProcessor, processor: forgotten, or onMailetException: forgotten;"
                        + " a custom mailet that routes there needs the state in one of its parameters) or remove the processor",
                "5 problem(s); nothing was started");
    }

    @Test
    void aBrokenXmlPipelineGetsEveryProblemWithItsLine() throws Exception {
        TestInstallation inst = installation("pipeline.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <processors>
                  <processor state="start">
                    <mailet match="All" class="LogMessage"/>
                    <mailet match="All and (" class="LogMessage"/>
                    <mailet match="All"
                            class="Teleport"/>
                    <mailet match="All" class="ToProcessor">
                      <processor>nowhere</processor>
                    </mailet>
                  </processor>
                </processors>
                """);
        Result r = check(inst.conf);
        String file = inst.conf.resolve("pipeline.xml").toString();
        assertThat(r.exit()).as(String.join("\n", r.lines())).isEqualTo(1);
        assertThat(r.lines()).containsSubsequence(
                file + ": there is no 'root' processor, where every mail starts — add a processor with state: root",
                file + ":5: matcher expression 'All and (' ends too early — combine matchers with not, and, or and parentheses,"
                        + " e.g. \"RecipientIsLocal and not SenderIsNull\"",
                file + ":6: unknown mailet 'Teleport' — use a standard mailet (listed in docs/mailets.md) or a fully qualified class name from a jar in lib/ext",
                file + ":8: ToProcessor sends mail to processor 'nowhere', which does not exist — add a processor with state: nowhere or name an existing one",
                "4 problem(s); nothing was started");
    }
}
