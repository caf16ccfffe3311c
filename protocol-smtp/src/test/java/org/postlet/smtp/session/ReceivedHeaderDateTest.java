package org.postlet.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Received header's date is written by hand; it must read exactly as the formatter writes it. */
class ReceivedHeaderDateTest {

    private static String appended(ZonedDateTime time) {
        StringBuilder b = new StringBuilder();
        ReceivedHeader.appendDate(b, time);
        return b.toString();
    }

    @Test
    void readsAsTheFormatterWritesIt() {
        List<ZoneId> zones = List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin"), ZoneId.of("America/St_Johns"),
                ZoneId.of("Asia/Kolkata"), ZoneId.of("Pacific/Chatham"), ZoneOffset.ofHoursMinutes(-9, -30),
                ZoneOffset.ofTotalSeconds(3600 + 61), ZoneId.of("Europe/Amsterdam"));
        Random random = new Random(5322);
        for (int i = 0; i < 20_000; i++) {
            // 0001 to 12000, so the formatter's own cases (short and long years) are covered too
            Instant instant = Instant.ofEpochSecond(-62_135_596_800L + (long) (random.nextDouble() * 440_000_000_000L));
            for (ZoneId zone : zones) {
                ZonedDateTime time = instant.atZone(zone);
                assertThat(appended(time)).as("%s", time).isEqualTo(ReceivedHeader.RFC_5322_DATE.format(time));
            }
        }
        ZonedDateTime example = ZonedDateTime.of(2024, 1, 2, 10, 0, 0, 0, ZoneId.of("Europe/Berlin"));
        assertThat(appended(example)).isEqualTo("Tue, 2 Jan 2024 10:00:00 +0100");
    }
}
