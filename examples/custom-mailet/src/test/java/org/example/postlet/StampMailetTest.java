package org.example.postlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.testkit.FakeMail;
import org.postlet.mailet.testkit.FakeMailetConfig;

class StampMailetTest {

    private final Clock clock = Clock.fixed(Instant.parse("2025-05-01T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void stampsTheMessage() throws Exception {
        StampMailet mailet = new StampMailet(clock);
        mailet.init(FakeMailetConfig.builder().mailetName("Stamp").parameter("stamp", "checked").build());
        FakeMail mail = FakeMail.builder().recipients("bob@example.test").message("Subject: hi\n\nHello Bob\n").build();
        mailet.service(mail);
        assertThat(mail.message().getHeader("X-Stamp", null)).isEqualTo("checked by mx.example.test at 2025-05-01T12:00:00Z");
    }

    @Test
    void theHeaderCanBeChosenAndTheBodyStaysAsItWas() throws Exception {
        StampMailet mailet = new StampMailet(clock);
        mailet.init(FakeMailetConfig.builder().parameter("stamp", "seen").parameter("header", "X-Seen").build());
        FakeMail mail = FakeMail.builder().recipients("bob@example.test").message("Subject: hi\n\nHello Bob\n").build();
        mailet.service(mail);
        assertThat(mail.messageAsString()).contains("X-Seen: seen by").endsWith("\r\n\r\nHello Bob\r\n");
    }

    @Test
    void withoutAStampTheServerRefusesToStart() {
        assertThatThrownBy(() -> new StampMailet(clock).init(FakeMailetConfig.builder().mailetName("Stamp").build()))
                .isInstanceOf(MailetException.class).hasMessageContaining("Stamp needs the parameter 'stamp'");
    }
}
