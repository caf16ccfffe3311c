package org.postlet.server.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.Origin;
import org.postlet.queue.file.MailFile;

/** The repositories the pipeline names, and the mails in them, as operators see them. */
class RepositoriesTest {

    @TempDir
    Path dir;

    private Repositories repositories() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("pipeline.yaml"), """
                processors:
                  - state: root
                    mailets:
                      - { match: "HasHeader=X-Keep", class: ToRepository, path: ../var/error }
                      - { match: All, class: ToProcessor, processor: error }
                  - state: error
                    mailets:
                      - { match: All, class: ToRepository, path: ../var/error }
                      - { match: All, class: org.postlet.mailets.repository.ToRepository, path: ../archive/error }
                """, StandardCharsets.UTF_8);
        return new Repositories(conf.resolve("pipeline.yaml"), conf);
    }

    @Test
    void eachFolderOnceWithAUniqueName() throws Exception {
        assertThat(repositories().list()).containsExactly(
                new Repositories.Repository("error", dir.resolve("var/error")),
                new Repositories.Repository("error-2", dir.resolve("archive/error")));
    }

    @Test
    void mailsAreReadFromTheirFilesAndAnIdNeverLeavesTheFolder() throws Exception {
        Repositories repositories = repositories();
        Repositories.Repository error = repositories.find("error").orElseThrow();
        Path folder = Files.createDirectories(error.folder());
        MailEnvelope envelope = new MailEnvelope(Optional.of(MailAddress.parse("a@example.com")),
                List.of(MailAddress.parse("b@example.test")), new Origin.Requeued("test"), java.time.Instant.EPOCH);
        MailFile.write(folder.resolve("01ABC"), "01ABC", envelope, ProcessingState.ROOT, Optional.of("broken"),
                Map.of("note", "kept"), out -> out.write("Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
        Files.writeString(folder.resolve("notes.txt"), "not a mail\n");
        Files.writeString(dir.resolve("secret"), "outside\n");

        assertThat(repositories.mails(error)).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo("01ABC");
            assertThat(m.recipients()).containsExactly("b@example.test");
            assertThat(m.error()).isEqualTo("broken");
            assertThat(m.attributes()).containsEntry("note", "kept");
        });
        assertThat(repositories.headers(error, "01ABC")).contains("Subject: hi\r\n");
        assertThat(repositories.mail(error, "../../secret")).isEmpty();
        assertThat(repositories.delete(error, "../../secret")).isFalse();
        assertThat(dir.resolve("secret")).exists();
        assertThat(repositories.delete(error, "01ABC")).isTrue();
        assertThat(repositories.mails(error)).isEmpty();
    }
}
