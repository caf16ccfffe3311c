package org.postlet.queue.rabbitmq;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The queues of one Postlet queue name, all quorum queues (replicated, durable):
 * <ul>
 *   <li>{@code NAME}: mail due for processing; every node consumes it;</li>
 *   <li>{@code NAME.delay.<tier>}: a fixed set of waiting rooms with a message TTL and no consumer,
 *       which dead-letter (at least once) back into {@code NAME} when the TTL runs out. A retry in
 *       {@code d} waits in the longest tier not longer than {@code d}; when it comes back before it
 *       is due it goes on to the next tier. So any delay is served by a few hops, without the
 *       delayed-message plugin;</li>
 *   <li>{@code NAME.held}: mail an operator holds; nobody consumes it.</li>
 * </ul>
 */
final class Topology {

    /** The waiting rooms, shortest first. A delay under the first is no delay. */
    static final List<Duration> TIERS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30),
            Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofHours(1));

    private final String name;

    Topology(String name) {
        this.name = name;
    }

    String main() {
        return name;
    }

    String held() {
        return name + ".held";
    }

    String delay(Duration tier) {
        return name + ".delay." + tier.toSeconds() + "s";
    }

    List<String> delays() {
        return TIERS.stream().map(this::delay).toList();
    }

    /** Every queue, in the order an operator's scan reads them. */
    List<String> all() {
        List<String> all = new ArrayList<>();
        all.add(main());
        all.addAll(delays());
        all.add(held());
        return all;
    }

    /** The waiting room for a mail due in {@code wait}; empty when it is due now. */
    java.util.Optional<String> roomFor(Duration wait) {
        String room = null;
        for (Duration tier : TIERS) {
            if (tier.compareTo(wait) <= 0) {
                room = delay(tier);
            }
        }
        return java.util.Optional.ofNullable(room);
    }

    /** Declares every queue; the same arguments every time, as the broker refuses a declaration that differs. */
    void declare(Channel channel) throws IOException {
        channel.queueDeclare(main(), true, false, false, Map.of("x-queue-type", "quorum"));
        channel.queueDeclare(held(), true, false, false, Map.of("x-queue-type", "quorum"));
        for (Duration tier : TIERS) {
            channel.queueDeclare(delay(tier), true, false, false, Map.of(
                    "x-queue-type", "quorum",
                    "x-message-ttl", tier.toMillis(),
                    "x-dead-letter-exchange", "",
                    "x-dead-letter-routing-key", main(),
                    // at-least-once dead-lettering needs reject-publish; the waiting rooms have no length limit
                    "x-dead-letter-strategy", "at-least-once",
                    "x-overflow", "reject-publish"));
        }
    }

    /** Deletes every queue (tests, and operators retiring a queue name). */
    void delete(Channel channel) throws IOException {
        List<String> queues = all();
        queues.remove(main());
        queues.add(main()); // last: its consumers are cancelled when it goes
        for (String q : queues) {
            channel.queueDelete(q);
        }
    }
}
