package org.postlet.server.processing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void theDelayDoublesFromTheFirstDelayUpToTheMaximum() {
        RetryPolicy p = new RetryPolicy(Duration.ofMinutes(1), Duration.ofMinutes(20), Duration.ofDays(5));
        assertThat(IntStream.rangeClosed(1, 8).mapToObj(p::delayAfter).map(Duration::toMinutes))
                .containsExactly(1L, 2L, 4L, 8L, 16L, 20L, 20L, 20L);
    }

    @Test
    void theDefaultIsOneMinuteDoublingToOneHour() {
        assertThat(RetryPolicy.DEFAULT.delayAfter(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(RetryPolicy.DEFAULT.delayAfter(7)).isEqualTo(Duration.ofHours(1)); // 64 min capped
        assertThat(RetryPolicy.DEFAULT.delayAfter(10_000)).isEqualTo(Duration.ofHours(1));
        assertThat(RetryPolicy.DEFAULT.giveUpAfter()).isEqualTo(Duration.ofDays(5));
    }

    @Test
    void aFirstDelayAboveTheMaximumIsCapped() {
        assertThat(new RetryPolicy(Duration.ofHours(2), Duration.ofHours(1), Duration.ofDays(1)).delayAfter(1))
                .isEqualTo(Duration.ofHours(1));
    }
}
