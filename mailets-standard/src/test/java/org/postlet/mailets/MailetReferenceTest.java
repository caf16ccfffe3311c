package org.postlet.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/mailets.md} equal to what the declarations say. After changing a component,
 * regenerate with {@code ./mvnw -B -o -q test -pl mailets-standard -am -Dtest=MailetReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dpostlet.docs.write=true}.
 */
class MailetReferenceTest {

    private static final Path FILE = Path.of("..", "docs", "mailets.md");

    @Test
    void theCommittedReferenceMatchesTheCode() throws Exception {
        String generated = MailetReference.markdown();
        if (Boolean.getBoolean("postlet.docs.write")) {
            Files.writeString(FILE, generated, StandardCharsets.UTF_8);
        }
        String committed = Files.exists(FILE) ? Files.readString(FILE, StandardCharsets.UTF_8) : "";
        assertThat(committed).as("docs/mailets.md is out of date — regenerate it with ./mvnw -B -o -q test -pl mailets-standard -am"
                + " -Dtest=MailetReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dpostlet.docs.write=true").isEqualTo(generated);
    }
}
