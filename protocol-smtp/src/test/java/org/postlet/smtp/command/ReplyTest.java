package org.postlet.smtp.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyTest {

    @Test
    void encodesOneLine() {
        assertThat(Reply.of(250, "2.1.0", "Ok").encode()).isEqualTo("250 2.1.0 Ok\r\n");
        assertThat(Reply.plain(220, "mx ESMTP").encode()).isEqualTo("220 mx ESMTP\r\n");
    }

    @Test
    void encodesMultiLineWithDashesButTheLast() {
        assertThat(new Reply(550, "5.7.1", List.of("no", "really not")).encode())
                .isEqualTo("550-5.7.1 no\r\n550 5.7.1 really not\r\n");
    }

    @Test
    void refusesInconsistentReplies() {
        assertThatThrownBy(() -> Reply.of(250, "5.0.0", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Reply.of(250, "2.0.0", "a\r\n250 b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Reply.of(99, "", "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
