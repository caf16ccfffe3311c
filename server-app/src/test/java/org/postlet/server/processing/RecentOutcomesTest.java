package org.postlet.server.processing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The console's ring of recent outcomes: newest first, the oldest dropped when full. */
class RecentOutcomesTest {

    private static RecentOutcomes.Outcome outcome(String id) {
        return new RecentOutcomes.Outcome(Instant.EPOCH, id, "a@example.com", List.of("b@example.test"),
                RecentOutcomes.Result.DONE, List.of("local"), "");
    }

    @Test
    void keepsTheLatestNewestFirst() {
        RecentOutcomes recent = new RecentOutcomes(2);
        recent.add(outcome("1"));
        recent.add(outcome("2"));
        recent.add(outcome("3"));
        assertThat(recent.latest()).extracting(RecentOutcomes.Outcome::id).containsExactly("3", "2");
    }

    @Test
    void needsRoomForOne() {
        assertThatThrownBy(() -> new RecentOutcomes(0)).hasMessageContaining("at least 1");
    }
}
