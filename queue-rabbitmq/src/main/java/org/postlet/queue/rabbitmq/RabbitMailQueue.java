package org.postlet.queue.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.queue.Deferral;
import org.postlet.queue.Disposition;
import org.postlet.queue.Lease;
import org.postlet.queue.LeaseExpiredException;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MailQueue;
import org.postlet.queue.QueueIds;
import org.postlet.queue.QueueSize;
import org.postlet.queue.QueueState;
import org.postlet.queue.QueuedMailSummary;
import org.postlet.queue.RecipientOutcome;
import org.postlet.queue.file.MailFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mail queue on a RabbitMQ broker, shared by every node configured with the same
 * {@code queue.uri} and {@code queue.name} (docs/scaling.md):
 * <ul>
 *   <li>{@link Enqueuing#commit()} completes on the broker's publisher confirm, so an SMTP client
 *       gets its 250 only once a majority of the quorum queue's replicas have the mail;</li>
 *   <li>each node consumes with a bounded prefetch and acknowledges a delivery only when its lease
 *       is acknowledged; a node that dies leaves its unacknowledged mails to the others, which get
 *       them flagged as redelivered ({@link Lease#possibleRedelivery()});</li>
 *   <li>a retry is the same body published again, with the recipients left and the deferral in
 *       its headers, into the waiting rooms of {@link Topology};</li>
 *   <li>bodies over the inline limit are written to the shared folder ({@code queue.blobs}) and
 *       only their envelope travels through the broker.</li>
 * </ul>
 * Operator functions read the broker's queues message by message ({@link #browse}); they cost a
 * pass over the queue and mark every mail they read as a possible redelivery.
 */
public final class RabbitMailQueue implements MailQueue {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMailQueue.class);
    private static final char[] DIGITS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    /** How long an operator's action waits for the broker's confirm. */
    private static final Duration OPERATOR_WAIT = Duration.ofSeconds(30);
    /** A retry due within this is not worth a hop through a waiting room. */
    private static final Duration DUE_SLACK = Duration.ofMillis(250);

    private final RabbitMqSettings settings;
    private final Topology topology;
    private final SharedFolder folder;
    private final QueueIds ids;
    /** Appended to every id: two nodes' clocks may give the same microsecond, their tags differ. */
    private final String nodeTag;
    private final Clock clock;
    private final Broker broker;
    private final BlockingQueue<Arrival> arrived = new LinkedBlockingQueue<>();
    private final Map<String, Taken> taken = new ConcurrentHashMap<>();
    /** Ids an operator held or removed while they waited in this node's prefetch. */
    private final Set<String> holdOnArrival = ConcurrentHashMap.newKeySet();
    private final Set<String> removeOnArrival = ConcurrentHashMap.newKeySet();
    private final ExecutorService commits;
    private volatile boolean closed;
    /** Set while {@link #deleteQueues} runs: the main queue going away is expected then. */
    private volatile boolean retiring;

    /** A delivery from the broker, not yet taken. */
    private record Arrival(long generation, long tag, boolean redeliver, AMQP.BasicProperties properties, byte[] body) {
    }

    /** A delivery taken by a worker. */
    private static final class Taken {
        final Lease lease;
        final QueueMessage message;
        final long generation;
        final long tag;
        volatile boolean holdAfter;

        Taken(Lease lease, QueueMessage message, long generation, long tag) {
            this.lease = lease;
            this.message = message;
            this.generation = generation;
            this.tag = tag;
        }
    }

    private RabbitMailQueue(RabbitMqSettings settings, QueueIds ids, Clock clock) throws IOException {
        this.settings = settings;
        this.topology = new Topology(settings.name());
        this.folder = new SharedFolder(settings.blobs());
        this.ids = ids;
        this.clock = clock;
        SecureRandom random = new SecureRandom();
        char[] tag = new char[4];
        for (int i = 0; i < tag.length; i++) {
            tag[i] = DIGITS[random.nextInt(DIGITS.length)];
        }
        this.nodeTag = new String(tag);
        this.commits = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "postlet-rabbitmq-commit");
            t.setDaemon(true);
            return t;
        });
        this.broker = new Broker(settings, connectionName(settings.name(), nodeTag), clock, this::setUp);
    }

    /**
     * Connects to the broker, declares the queues and starts consuming.
     *
     * @throws IOException if the broker cannot be reached or the shared folder cannot be used
     */
    public static RabbitMailQueue open(RabbitMqSettings settings, QueueIds ids, Clock clock) throws IOException {
        RabbitMailQueue queue = new RabbitMailQueue(settings, ids, clock);
        queue.broker.start();
        try {
            int pruned = queue.folder.prune(clock.instant());
            if (pruned > 0) {
                LOG.info("dropped {} old marks and unfinished bodies from {}", pruned, settings.blobs());
            }
        } catch (IOException e) {
            LOG.warn("cannot prune old files in {}: {}", settings.blobs(), e.toString());
        }
        LOG.info("mail queue on RabbitMQ at {}, shared folder {}, node tag {}", settings.where(), settings.blobs(), queue.nodeTag);
        return queue;
    }

    /** How the broker lists a node's connection: {@code postlet/NAME/TAG}, TAG ending each of its queue ids. */
    static String connectionName(String name, String nodeTag) {
        return "postlet/" + name + "/" + nodeTag;
    }

    /** The tag ending this node's queue ids and naming its connection. */
    public String nodeTag() {
        return nodeTag;
    }

    private void setUp(Session session) throws IOException {
        try (Channel channel = session.channel()) {
            topology.declare(channel);
        } catch (TimeoutException e) {
            throw new IOException("declaring the queues timed out", e);
        }
        long generation = session.generation();
        session.consume(topology.main(), settings.prefetch(),
                (consumerTag, d) -> arrived.add(new Arrival(generation, d.getEnvelope().getDeliveryTag(),
                        d.getEnvelope().isRedeliver(), d.getProperties(), d.getBody())),
                consumerTag -> {
                    if (retiring) {
                        return;
                    }
                    // The queue was deleted under us: reconnecting declares it again.
                    LOG.warn("RabbitMQ cancelled the consumer of {}; reconnecting", topology.main());
                    session.abort();
                });
    }

    // ---------------------------------------------------------------- enqueuing

    @Override
    public Enqueuing enqueue(MailEnvelope envelope, ProcessingState state, Map<String, Serializable> attributes) throws IOException {
        return new Incoming(ids.next() + nodeTag, envelope, state, attributes, false);
    }

    @Override
    public Optional<Enqueuing> enqueueOnce(String id, MailEnvelope envelope, ProcessingState state,
                                           Map<String, Serializable> attributes) throws IOException {
        if (folder.sent(id)) {
            return Optional.empty();
        }
        return Optional.of(new Incoming(id, envelope, state, attributes, true));
    }

    @Override
    public boolean hasRoomFor(long size) {
        return true; // the broker's memory and disk alarms hold publishers back; a lost broker fails the commit (451)
    }

    /** A mail being received: in memory up to the inline limit, then in the shared folder. */
    private final class Incoming implements Enqueuing {
        private final String id;
        private final MailFile.Records records;
        private final boolean once;
        private final int recordsLength;
        private final ByteArrayOutputStream inline;
        private SharedFolder.Body spilled;
        private long size;

        Incoming(String id, MailEnvelope envelope, ProcessingState state, Map<String, Serializable> attributes, boolean once)
                throws IOException {
            this.id = id;
            this.once = once;
            this.records = new MailFile.Records(id, envelope, state, Optional.empty(), attributes);
            byte[] header;
            try {
                header = MailFile.header(id, envelope, state, Optional.empty(), attributes);
            } catch (UncheckedIOException e) {
                throw new IOException(e.getMessage(), e.getCause());
            }
            this.recordsLength = header.length;
            this.inline = new ByteArrayOutputStream(header.length + 8192);
            inline.writeBytes(header);
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public void write(ByteBuffer bytes) throws IOException {
            size += bytes.remaining();
            if (spilled == null && size > settings.inlineLimit()) {
                spilled = folder.create(id);
                byte[] sofar = inline.toByteArray();
                spilled.write(ByteBuffer.wrap(sofar, recordsLength, sofar.length - recordsLength));
                inline.reset();
                inline.write(sofar, 0, recordsLength);
            }
            if (spilled != null) {
                spilled.write(bytes);
            } else if (bytes.hasArray()) {
                inline.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
                bytes.position(bytes.limit());
            } else {
                byte[] copy = new byte[bytes.remaining()];
                bytes.get(copy);
                inline.writeBytes(copy);
            }
        }

        @Override
        public CompletionStage<Void> commit() {
            return CompletableFuture.supplyAsync(this::publish, commits).thenCompose(f -> f).thenRun(() -> {
                if (once) {
                    try {
                        folder.markSent(id);
                    } catch (IOException e) {
                        // queued all the same; a second run of its cause could send it again
                        LOG.warn("{}: queued, but cannot mark it as sent in {}: {}", id, settings.blobs(), e.toString());
                    }
                }
            }).whenComplete((ok, failure) -> {
                if (failure != null && spilled != null) {
                    try {
                        folder.delete(id);
                    } catch (IOException e) {
                        LOG.warn("{}: cannot delete the body of a mail that was not queued: {}", id, e.toString());
                    }
                }
            });
        }

        private CompletableFuture<Void> publish() {
            try {
                Session session = broker.session(); // before the fsync: a lost broker fails at once
                if (spilled != null) {
                    spilled.commit();
                }
                QueueMessage message = QueueMessage.create(id, records, size, spilled != null, inline.toByteArray(), recordsLength);
                return session.publish(topology.main(), message.properties(), message.body());
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }

        @Override
        public void abort() {
            if (spilled != null) {
                try {
                    spilled.abort();
                } catch (IOException e) {
                    LOG.warn("{}: cannot delete the body of an aborted mail: {}", id, e.toString());
                }
            }
        }
    }

    // ---------------------------------------------------------------- taking

    @Override
    public Optional<Lease> take(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed) {
            Arrival a = arrived.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (a == null) {
                return Optional.empty();
            }
            Optional<Session> current = broker.current();
            if (current.isEmpty() || current.get().generation() != a.generation()) {
                continue; // its connection is gone: the broker gave it back to the queue
            }
            Session session = current.get();
            Optional<Lease> lease = lease(session, a);
            if (lease.isPresent()) {
                return lease;
            }
        }
        return Optional.empty();
    }

    /** A lease for a delivery, unless it goes elsewhere first (held, removed, not due yet). */
    private Optional<Lease> lease(Session session, Arrival a) {
        QueueMessage m;
        try {
            m = QueueMessage.read(a.properties(), a.body());
            if (m.shared()) {
                folder.requireBody(m.id());
            }
        } catch (IOException e) {
            // never dropped: an operator finds it in the held queue
            LOG.error("{}; moved to {} for an operator to look at", e.getMessage(), topology.held());
            moveThenAck(session, a, topology.held(), a.properties());
            return Optional.empty();
        }
        if (removeOnArrival.remove(m.id())) {
            ackQuietly(session, a.tag(), m);
            deleteBody(m);
            LOG.info("{}: removed by an operator", m.id());
            return Optional.empty();
        }
        if (holdOnArrival.remove(m.id())) {
            moveThenAck(session, a, topology.held(), m.propertiesToPublish());
            return Optional.empty();
        }
        Duration wait = Duration.between(clock.instant(), m.due());
        if (wait.compareTo(DUE_SLACK) > 0) {
            Optional<String> room = topology.roomFor(wait);
            if (room.isPresent()) {
                moveThenAck(session, a, room.get(), m.propertiesToPublish());
                return Optional.empty();
            }
        }
        MailFile.Records r = m.records();
        boolean redelivered = QueueMessage.redelivered(a.redeliver(), a.properties());
        if (redelivered) {
            LOG.info("{}: taken before and not acknowledged (a node died, lost its connection or gave it back, or an"
                    + " operator listed it): processed as a possible redelivery", m.id());
        }
        Lease lease = new Lease(m.id(), r.envelope(), r.state(), r.attributes(), m.remaining(), m.deferral(),
                redelivered, m.content(folder));
        taken.put(m.id(), new Taken(lease, m, a.generation(), a.tag()));
        return Optional.of(lease);
    }

    /** Publishes a delivery's body to {@code queue}, acknowledging it once confirmed; given back if not. */
    private void moveThenAck(Session session, Arrival a, String queue, AMQP.BasicProperties properties) {
        session.publish(queue, properties, a.body()).whenComplete((ok, failure) -> {
            try {
                if (failure == null) {
                    session.ack(a.tag());
                } else {
                    LOG.warn("{}: cannot move it to {} ({}); it stays in {}", a.properties().getMessageId(), queue,
                            failure.getMessage(), topology.main());
                    session.requeue(a.tag());
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("{}: connection lost while moving it to {}; the broker delivers it again", a.properties().getMessageId(), queue);
            }
        });
    }

    private void ackQuietly(Session session, long tag, QueueMessage m) {
        try {
            session.ack(tag);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: cannot acknowledge it ({}); the broker delivers it again", m.id(), e.toString());
        }
    }

    private void deleteBody(QueueMessage m) {
        if (m.shared()) {
            try {
                folder.delete(m.id());
            } catch (IOException e) {
                LOG.warn("{}: cannot delete its body from {}: {}", m.id(), settings.blobs(), e.toString());
            }
        }
    }

    @Override
    public CompletionStage<Void> acknowledge(Lease lease, Disposition disposition) {
        Taken t = taken.get(lease.id());
        if (t == null || t.lease != lease) {
            return CompletableFuture.failedFuture(new LeaseExpiredException(lease.id()));
        }
        taken.remove(lease.id(), t);
        Optional<Session> current = broker.current();
        if (current.isEmpty() || current.get().generation() != t.generation) {
            return CompletableFuture.failedFuture(new LeaseExpiredException(lease.id()));
        }
        Session session = current.get();
        List<MailAddress> retrying = lease.recipients().stream()
                .filter(r -> disposition.outcomes().get(r) instanceof RecipientOutcome.Retry).toList();
        if (retrying.isEmpty()) {
            try {
                session.ack(t.tag);
            } catch (IOException | RuntimeException e) {
                return CompletableFuture.failedFuture(expired(lease, e));
            }
            deleteBody(t.message);
            return CompletableFuture.completedFuture(null);
        }
        Instant now = clock.instant();
        Duration delay = disposition.retryDelay().orElse(Duration.ZERO);
        Deferral next = new Deferral(lease.deferral().map(Deferral::attempts).orElse(0) + 1,
                lease.deferral().map(Deferral::firstFailure).orElse(now), now.plus(delay), disposition.retryReason());
        QueueMessage retry = t.message.withDeferral(retrying, next);
        String target = t.holdAfter ? topology.held() : topology.roomFor(delay).orElse(topology.main());
        // Published before the original is acknowledged: a crash between the two runs the mail again
        // as a possible redelivery (delivery code skips what is done), never loses it.
        return session.publish(target, retry.properties(), retry.body()).handle((ok, failure) -> {
            try {
                if (failure != null) {
                    session.requeue(t.tag);
                    throw new CompletionException(failure);
                }
                session.ack(t.tag);
                return null;
            } catch (IOException | RuntimeException e) {
                throw e instanceof CompletionException c ? c : new CompletionException(expired(lease, e));
            }
        });
    }

    private static LeaseExpiredException expired(Lease lease, Exception cause) {
        LeaseExpiredException e = new LeaseExpiredException(lease.id());
        e.initCause(cause);
        return e;
    }

    @Override
    public void release(Lease lease) {
        Taken t = taken.remove(lease.id());
        if (t == null || t.lease != lease) {
            return;
        }
        broker.current().filter(s -> s.generation() == t.generation).ifPresent(s -> {
            try {
                s.requeue(t.tag);
            } catch (IOException | RuntimeException e) {
                LOG.warn("{}: cannot give it back ({}); the broker delivers it again when the connection ends", lease.id(), e.toString());
            }
        });
    }

    // ---------------------------------------------------------------- operators

    /** What an operator's scan does with one message it read. */
    private enum Verdict { KEEP, TAKEN, STOP }

    @FunctionalInterface
    private interface Visitor {
        Verdict visit(String queue, QueueMessage message, Channel channel, long tag) throws IOException;
    }

    /**
     * Reads every message of {@code queues} on a channel of its own, each queue once through; what
     * the visitor does not take goes back when the channel closes (flagged as redelivered).
     */
    private void scan(List<String> queues, Visitor visitor) throws IOException {
        Session session = broker.session();
        try (Channel channel = session.channel()) {
            for (String queue : queues) {
                long count = channel.queueDeclarePassive(queue).getMessageCount();
                for (long i = 0; i < count; i++) {
                    GetResponse r = channel.basicGet(queue, false);
                    if (r == null) {
                        break;
                    }
                    QueueMessage m;
                    try {
                        m = QueueMessage.read(r.getProps(), r.getBody());
                    } catch (IOException e) {
                        LOG.warn("skipped in {}: {}", queue, e.getMessage());
                        continue;
                    }
                    if (visitor.visit(queue, m, channel, r.getEnvelope().getDeliveryTag()) == Verdict.STOP) {
                        return;
                    }
                }
            }
        } catch (TimeoutException e) {
            throw new IOException("RabbitMQ at " + settings.where() + " did not answer in time", e);
        }
    }

    /** What an operator does with the one mail it looked for, once found. */
    @FunctionalInterface
    private interface Action {
        void on(QueueMessage message, Channel channel, long tag) throws IOException;
    }

    /**
     * Looks for mail {@code id} in {@code queues} and acts on it; false if it is not there. Messages
     * an earlier scan gave back may take the broker a moment to be ready again, so a mail not found
     * is looked for twice more, a quarter of a second apart.
     */
    private boolean find(List<String> queues, String id, Action action) throws IOException {
        boolean[] found = {false};
        for (int pass = 0; pass < 3 && !found[0]; pass++) {
            if (pass > 0) {
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while looking for " + id, e);
                }
            }
            scan(queues, (queue, m, channel, tag) -> {
                if (!m.id().equals(id)) {
                    return Verdict.KEEP;
                }
                action.on(m, channel, tag);
                found[0] = true;
                return Verdict.STOP;
            });
        }
        return found[0];
    }

    /** Publishes {@code m} to {@code queue} and waits for the confirm, then acks what the scan read. */
    private void move(QueueMessage m, String queue, Channel channel, long tag) throws IOException {
        try {
            broker.session().publish(queue, m.propertiesToPublish(), m.body()).get(OPERATOR_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while moving " + m.id() + " to " + queue, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot move " + m.id() + " to " + queue + ": " + e.getMessage(), e);
        }
        channel.basicAck(tag, false);
    }

    private QueueState stateIn(String queue) {
        return queue.equals(topology.held()) ? QueueState.HELD : queue.equals(topology.main()) ? QueueState.ACTIVE : QueueState.DEFERRED;
    }

    /**
     * Every mail: this node's leased and prefetched ones, then each queue read through once. Mails
     * leased by other nodes are not seen; a large queue takes a pass over every message.
     */
    @Override
    public List<QueuedMailSummary> browse() throws IOException {
        List<QueuedMailSummary> all = new ArrayList<>();
        taken.values().forEach(t -> all.add(t.message.summary(QueueState.ACTIVE)));
        for (Arrival a : arrived) {
            try {
                all.add(QueueMessage.read(a.properties(), a.body()).summary(QueueState.ACTIVE));
            } catch (IOException e) {
                LOG.warn("skipped in this node's prefetch: {}", e.getMessage());
            }
        }
        scan(topology.all(), (queue, m, channel, tag) -> {
            all.add(m.summary(m.deferral().isPresent() && queue.equals(topology.main()) ? QueueState.ACTIVE : stateIn(queue)));
            return Verdict.KEEP;
        });
        return all;
    }

    private boolean waitingHere(String id) {
        return arrived.stream().anyMatch(a -> id.equals(a.properties().getMessageId()));
    }

    @Override
    public boolean remove(String id) throws IOException {
        if (taken.containsKey(id)) {
            return false;
        }
        if (waitingHere(id)) {
            removeOnArrival.add(id);
            return true;
        }
        return find(topology.all(), id, (m, channel, tag) -> {
            channel.basicAck(tag, false);
            deleteBody(m);
        });
    }

    @Override
    public boolean hold(String id) throws IOException {
        Taken t = taken.get(id);
        if (t != null) {
            t.holdAfter = true;
            return true;
        }
        if (waitingHere(id)) {
            holdOnArrival.add(id);
            return true;
        }
        List<String> notHeld = new ArrayList<>(topology.all());
        notHeld.remove(topology.held());
        return find(notHeld, id, (m, channel, tag) -> move(m, topology.held(), channel, tag));
    }

    @Override
    public boolean unhold(String id) throws IOException {
        return find(List.of(topology.held()), id, (m, channel, tag) -> move(m.dueNow(clock.instant()), topology.main(), channel, tag));
    }

    @Override
    public int flush() throws IOException {
        int[] flushed = {0};
        scan(topology.delays(), (queue, m, channel, tag) -> {
            move(m.dueNow(clock.instant()), topology.main(), channel, tag);
            flushed[0]++;
            return Verdict.TAKEN;
        });
        return flushed[0];
    }

    /**
     * Counted from the broker's queue lengths plus this node's leases: another node's leased mails
     * are not counted, and the oldest mail's age is not known without a scan, so it is left empty.
     */
    @Override
    public QueueSize size() {
        int local = taken.size() + arrived.size();
        Optional<Session> session = broker.current();
        if (session.isEmpty()) {
            return new QueueSize(local, 0, 0, Optional.empty());
        }
        try (Channel channel = session.get().channel()) {
            long main = channel.queueDeclarePassive(topology.main()).getMessageCount();
            long deferred = 0;
            for (String q : topology.delays()) {
                deferred += channel.queueDeclarePassive(q).getMessageCount();
            }
            long held = channel.queueDeclarePassive(topology.held()).getMessageCount();
            return new QueueSize((int) (local + main + deferred + held), (int) deferred, (int) held, Optional.empty());
        } catch (IOException | TimeoutException | RuntimeException e) {
            LOG.warn("cannot read the queue lengths from RabbitMQ at {}: {}", settings.where(), e.toString());
            return new QueueSize(local, 0, 0, Optional.empty());
        }
    }

    @Override
    public Optional<String> unavailable() {
        return broker.unavailable();
    }

    /** Deletes this queue's queues from the broker (tests, and operators retiring a queue name). */
    public void deleteQueues() throws IOException {
        retiring = true;
        try (Channel channel = broker.session().channel()) {
            topology.delete(channel);
        } catch (TimeoutException e) {
            throw new IOException("RabbitMQ at " + settings.where() + " did not answer in time", e);
        }
    }

    /** Drops the connection at once, without acknowledging anything: what a crash of this node does. */
    void crash() {
        closed = true;
        broker.current().ifPresent(Session::abort);
        broker.close();
        commits.shutdownNow();
    }

    @Override
    public void close() {
        closed = true;
        commits.shutdown();
        try {
            if (!commits.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("mails still being queued at close: their senders get no 250");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        broker.close();
    }
}
