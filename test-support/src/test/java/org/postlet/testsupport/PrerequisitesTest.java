package org.postlet.testsupport;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class PrerequisitesTest {

    @Test
    void aMissingPrerequisiteFailsInCiWithTheReason() {
        assertThatThrownBy(() -> Prerequisites.of(Map.of("CI", "true")).check(false, "swaks is not installed"))
                .isInstanceOf(Prerequisites.MissingPrerequisite.class)
                .hasMessageContaining("CI=true").hasMessageContaining("swaks is not installed");
    }

    @Test
    void aMissingPrerequisiteSkipsOutsideCi() {
        for (Map<String, String> env : java.util.List.of(Map.<String, String>of(), Map.of("CI", "false"), Map.of("CI", ""))) {
            assertThatThrownBy(() -> Prerequisites.of(env).check(false, "no tmpfs"))
                    .isInstanceOf(TestAbortedException.class).hasMessageContaining("no tmpfs");
        }
    }

    @Test
    void aMetPrerequisiteDoesNothing() {
        assertThatCode(() -> Prerequisites.of(Map.of("CI", "true")).check(true, "x")).doesNotThrowAnyException();
        assertThatCode(() -> Prerequisites.of(Map.of()).check(true, "x")).doesNotThrowAnyException();
    }

    @Test
    void onPathFindsTheShell() {
        org.assertj.core.api.Assertions.assertThat(Prerequisites.onPath("sh")).isTrue();
        org.assertj.core.api.Assertions.assertThat(Prerequisites.onPath("no-such-command-postlet")).isFalse();
    }
}
