package org.postlet.outbound.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyTest {

    @Test
    void theEnhancedStatusMustMatchTheReplyClass() {
        assertThat(new Reply(550, List.of("5.1.1 no such user")).enhancedStatus()).contains("5.1.1");
        assertThat(new Reply(450, List.of("5.1.1 confused server")).enhancedStatus()).isEmpty();
        assertThat(new Reply(250, List.of("ok")).enhancedStatus()).isEmpty();
    }

    @Test
    void extensionsAreReadFromTheLinesAfterTheFirst() {
        Extensions e = Extensions.of(new Reply(250, List.of("mx.example SIZE-is-not-here", "PIPELINING", "size 1000",
                "8BITMIME", "STARTTLS")));
        assertThat(e.offers("PIPELINING")).isTrue();
        assertThat(e.offers("STARTTLS")).isTrue();
        assertThat(e.offers("SMTPUTF8")).isFalse();
        assertThat(e.tooLarge(1001)).isTrue();
        assertThat(e.tooLarge(1000)).isFalse();
        assertThat(Extensions.of(new Reply(250, List.of("mx", "SIZE 0"))).tooLarge(Long.MAX_VALUE)).isFalse();
    }
}
