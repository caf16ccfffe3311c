package org.postlet.queue.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.CancelCallback;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DeliverCallback;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeoutException;

/**
 * One connection to the broker and its two channels: one publishes with publisher confirms, one
 * consumes the main queue with a bounded prefetch. Delivery tags belong to the consuming channel,
 * so a lease taken in one session cannot be acknowledged in the next: its {@link #generation}
 * tells them apart.
 */
final class Session {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Session.class);

    private final Connection connection;
    private final long generation;
    private final String where;
    private final Channel publisher;
    private final Channel consumer;
    /** Publishes waiting for the broker's confirm, by publish sequence number. */
    private final ConcurrentNavigableMap<Long, Pending> pending = new ConcurrentSkipListMap<>();

    private record Pending(String messageId, CompletableFuture<Void> confirmed) {
    }

    Session(Connection connection, long generation, String where) throws IOException {
        this.connection = connection;
        this.generation = generation;
        this.where = where;
        this.publisher = connection.createChannel();
        publisher.confirmSelect();
        publisher.addConfirmListener((seq, multiple) -> confirmed(seq, multiple, null),
                (seq, multiple) -> confirmed(seq, multiple, new IOException("RabbitMQ at " + where
                        + " refused to store the mail (negative publisher confirm)")));
        // mandatory publishes come back when no queue took them (the queue was deleted): never a silent loss
        publisher.addReturnListener(r -> failPublish(r.getProperties().getMessageId(), new IOException(
                "RabbitMQ at " + where + " has no queue " + r.getRoutingKey() + " to take the mail: " + r.getReplyText())));
        this.consumer = connection.createChannel();
        // A channel the broker closes (a consumer over consumer_timeout, a refused command) leaves the
        // connection up but this node deaf or mute: drop the connection, so the broker requeues
        // what this node held and the broker connection is made anew.
        com.rabbitmq.client.ShutdownListener channelLost = cause -> {
            if (!cause.isInitiatedByApplication() && connection.isOpen()) {
                LOG.warn("RabbitMQ at {} closed a channel ({}); reconnecting", where, cause.getMessage());
                connection.abort();
            }
        };
        publisher.addShutdownListener(channelLost);
        consumer.addShutdownListener(channelLost);
    }

    long generation() {
        return generation;
    }

    boolean open() {
        return connection.isOpen();
    }

    /** A channel of its own for an operator's scan; closing it gives back every message it got and did not ack. */
    Channel channel() throws IOException {
        return connection.createChannel();
    }

    /** Starts consuming {@code queue}, at most {@code prefetch} unacknowledged mails at a time. */
    void consume(String queue, int prefetch, DeliverCallback deliveries, CancelCallback cancelled) throws IOException {
        consumer.basicQos(prefetch);
        consumer.basicConsume(queue, false, deliveries, cancelled);
    }

    /**
     * Publishes a persistent message to {@code queue} through the default exchange.
     *
     * @return completes when the broker confirms it has the message (for a quorum queue: a
     *         majority of its replicas wrote it), exceptionally if it refused it, returned it, or
     *         the connection was lost first
     */
    CompletableFuture<Void> publish(String queue, AMQP.BasicProperties properties, byte[] body) {
        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        synchronized (publisher) {
            long seq = publisher.getNextPublishSeqNo();
            pending.put(seq, new Pending(properties.getMessageId(), confirmed));
            try {
                publisher.basicPublish("", queue, true, properties, body);
            } catch (IOException | RuntimeException e) {
                pending.remove(seq);
                confirmed.completeExceptionally(new IOException("cannot publish to RabbitMQ at " + where + ": " + e.getMessage(), e));
            }
        }
        return confirmed;
    }

    /** Acknowledges a delivery of this session's consumer: the broker forgets the message. */
    void ack(long tag) throws IOException {
        synchronized (consumer) {
            consumer.basicAck(tag, false);
        }
    }

    /** Gives a delivery back to the queue; it is delivered again, flagged as a redelivery. */
    void requeue(long tag) throws IOException {
        synchronized (consumer) {
            consumer.basicNack(tag, false, true);
        }
    }

    private void confirmed(long seq, boolean multiple, IOException refused) {
        Map<Long, Pending> done = multiple ? pending.headMap(seq, true) : pending.subMap(seq, true, seq, true);
        for (Pending p : done.values()) {
            if (refused == null) {
                p.confirmed().complete(null);
            } else {
                p.confirmed().completeExceptionally(refused);
            }
        }
        done.clear();
    }

    private void failPublish(String messageId, IOException why) {
        pending.values().stream().filter(p -> p.messageId() != null && p.messageId().equals(messageId))
                .forEach(p -> p.confirmed().completeExceptionally(why));
    }

    /** Fails every publish still waiting for a confirm: the connection is gone and their fate unknown. */
    void lost(String why) {
        IOException failure = new IOException("connection to RabbitMQ at " + where + " lost before the broker confirmed: " + why);
        pending.values().forEach(p -> p.confirmed().completeExceptionally(failure));
        pending.clear();
    }

    /** Waits a little for outstanding confirms, then closes; unacknowledged deliveries go back to the queue. */
    void close() {
        try {
            if (publisher.isOpen()) {
                publisher.waitForConfirms(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | RuntimeException e) {
            // what is not confirmed fails below, and its sender gets no 250
            LOG.warn("closing with publishes the broker has not confirmed: {}", e.toString());
        }
        lost("the queue was closed");
        try {
            connection.close(5_000);
        } catch (IOException | RuntimeException e) {
            connection.abort();
        }
    }

    /** Drops the connection at once, as a crash would. */
    void abort() {
        connection.abort();
    }
}
