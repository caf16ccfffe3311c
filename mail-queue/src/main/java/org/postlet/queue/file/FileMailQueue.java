package org.postlet.queue.file;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.queue.Deferral;
import org.postlet.queue.Disposition;
import org.postlet.queue.Lease;
import org.postlet.queue.LeaseExpiredException;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MailQueue;
import org.postlet.queue.MessageContent;
import org.postlet.queue.QueueIds;
import org.postlet.queue.QueueSize;
import org.postlet.queue.QueueState;
import org.postlet.queue.QueuedMailDetail;
import org.postlet.queue.QueuedMailSummary;
import org.postlet.queue.RecipientOutcome;
import org.postlet.queue.durability.Fsync;
import org.postlet.queue.durability.GroupCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded mail queue: a log of records in segment files under {@code log/}, replayed into an
 * in-memory index at open. See {@link LogFormat} for the records.
 *
 * <p><b>Durability.</b> Every change is a record appended to the head segment by the one group-commit
 * thread; mails finishing together share one {@code fdatasync} ({@link GroupCommit}), and a commit
 * completes only after it. A record that fails to become durable is cut off again and the log goes
 * on in a new segment, so nothing of a failed commit is delivered. At open the segments are replayed
 * in order, the last record of an id winning: a torn tail of the last segment (a crash during an
 * append, whose client got no reply) is cut off, and a damaged stretch anywhere else is copied to
 * {@code damaged/} and logged at ERROR, never delivered. Every mail found is processed again as a
 * possible redelivery; deferrals and holds survive.
 *
 * <p><b>Memory and the event loop.</b> {@link Enqueuing#write} only copies bytes into memory; a
 * message longer than the spill threshold (1 MiB) goes on to a file of its own in {@code spill/},
 * written in order by a background thread, fsync'd before its record is appended (the record names
 * the file; the directory is fsync'd in the same group commit). A lease serves a message from memory
 * while it is still there (up to a memory budget), else from its file with positional reads.
 *
 * <p><b>Segments.</b> A segment rolls over at 64 MiB. Records can only undo records in the same or
 * earlier segments, so segments are deleted oldest first, as soon as no mail's current MAIL record is
 * in the oldest one. A deferred or held mail would keep its segment (and every later one) forever, so
 * when the oldest segment holds only deferred and held mails they are compacted: each is re-appended
 * whole (a MAIL record with its deferral, hold and recipients left) to the head, and the segment goes
 * once those are durable. A deferral or hold of a mail whose MAIL record is in the head segment is a
 * small DEFER/HOLD/UNHOLD record; of a mail in an older segment, a whole re-appended MAIL record.
 *
 * <p><b>Threads.</b> The stages of {@link Enqueuing#commit} and {@link #acknowledge} complete on the
 * queue's commit thread: hop to another executor before blocking (e.g. on {@link #hold}) in what is
 * chained on them. A DONE record is neither written nor forced on its own: it rides along with the
 * next batch, or is written and forced at most {@link #DONE_RIDE_LIMIT} later when no mail comes,
 * so a worker should not wait for the acknowledgement before taking the next mail. Losing a DONE
 * in a crash costs a possible redelivery, which delivery code skips, never a lost mail; a spill
 * file is deleted only once its DONE is durable, so a redelivered large mail still has its message.
 *
 * <p><b>Generated mail.</b> A mail with a derived id leaves a marker in {@code sent/} when processed,
 * kept 30 days, so {@link #enqueueOnce} refuses it again; the markers are made durable before any
 * segment holding such a mail's record is deleted.
 *
 * <p><b>Earlier layout and requeue.</b> At open, sealed files of the one-file-per-mail spool
 * ({@code queue/<id>} with {@code retry/<id>}) are imported into the log and deleted. Files put into
 * {@code maildrop/} by {@link #drop} are picked up every second as possible redeliveries.
 */
public final class FileMailQueue implements MailQueue {

    private static final Logger LOG = LoggerFactory.getLogger(FileMailQueue.class);

    /** Below this much free space new mail is refused with a temporary error instead of failing half-way. */
    public static final long MIN_FREE_BYTES = 64L * 1024 * 1024;
    /**
     * How long a DONE record may wait for a batch to ride along with. Under any traffic the next
     * mail's commit comes sooner, so a DONE costs no write, fdatasync or wake-up of its own; an idle
     * queue writes and forces those waiting once after this.
     */
    static final Duration DONE_RIDE_LIMIT = Duration.ofMillis(500);

    /** How long a processed generated mail is remembered: longer than any cause can be retried. */
    static final Duration SENT_MEMORY = Duration.ofDays(30);
    static final String MAILDROP = "maildrop";
    static final String DAMAGED = "damaged";

    /**
     * Sizes of the queue.
     *
     * @param segmentSize    a log segment rolls over past this many bytes
     * @param spillThreshold a message longer than this is written to a file of its own while it arrives
     * @param memoryBudget   how many bytes of just-received messages are kept in memory for their first lease;
     *                       also how many bytes of large messages may wait in memory for the spill thread
     *                       before further ones are refused (a temporary failure for their senders)
     * @param minFreeBytes   new mail is refused when the disk has less free space than this
     */
    public record Settings(long segmentSize, int spillThreshold, long memoryBudget, long minFreeBytes) {
        /** 64 MiB segments, 1 MiB spill threshold, 64 MiB of messages in memory, 64 MiB kept free. */
        public static Settings defaults() {
            return new Settings(64L * 1024 * 1024, 1024 * 1024, 64L * 1024 * 1024, MIN_FREE_BYTES);
        }
    }

    private enum Status { WAITING, LEASED, DEFERRED, HELD }

    /**
     * Whether {@code id} can be a queue id here: letters and digits (and, in files of the earlier
     * layout, '-' and '_'), at most 64, so that it is also a safe file name.
     */
    static boolean acceptableId(String id) {
        return id.length() <= 64 && id.matches("[A-Za-z0-9][A-Za-z0-9_-]*");
    }

    /** One queued mail; guarded by {@link #lock}. */
    private static final class Entry {
        final String id;
        final MailEnvelope envelope;
        final ProcessingState state;
        final Map<String, Serializable> attributes;
        final byte[] records;
        final long size;
        long order;
        List<MailAddress> remaining;
        Optional<Deferral> deferral = Optional.empty();
        /** When the deferral was made, by the queue's clock. */
        Instant deferredAt = Instant.EPOCH;
        /** When the deferral is over by {@link System#nanoTime}, which no one sets back. */
        long dueNanos;
        Status status = Status.WAITING;
        boolean holdAfterLease;
        boolean compacting;
        Lease lease;
        boolean redelivery;
        long segment = -1;
        long position = -1;
        Path spill;
        byte[] memory;

        Entry(String id, MailEnvelope envelope, ProcessingState state, Map<String, Serializable> attributes, byte[] records,
              long size) {
            this.id = id;
            this.envelope = envelope;
            this.state = state;
            this.attributes = attributes;
            this.records = records;
            this.size = size;
            this.remaining = envelope.recipients();
        }

        boolean held() {
            return status == Status.HELD || holdAfterLease;
        }
    }

    /** A record to append, prepared and applied on the group-commit thread. */
    private interface Append {
        /** The frame to write; null when there is nothing to write any more. */
        LogFormat.Frame frame();

        /** The new state, once the frame is durable. */
        void applied(SegmentLog.Placement placement, LogFormat.Frame frame);

        default boolean spilled() {
            return false;
        }
    }

    private final Path dir;
    private final QueueIds ids;
    private final Clock clock;
    private final Settings settings;
    private final QueueLock claim;
    private final FreeSpace freeSpace;
    private final Path spillDir;
    private final Path sentDir;
    private final Path maildropDir;
    private final Path damagedDir;
    private final SegmentLog log;
    private final GroupCommit<Append> commits;
    private final ScheduledExecutorService timer;
    private final ExecutorService spiller;

    /**
     * Held while a batch is written and applied, and while a segment is checked and deleted: between
     * a record's append and its mail's index entry, nothing else tells that its segment is live.
     */
    private final ReentrantLock logLock = new ReentrantLock();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readyChanged = lock.newCondition();
    private final Map<String, Entry> entries = new HashMap<>();
    private final ArrayDeque<Entry> ready = new ArrayDeque<>();
    private final Set<Entry> deferred = new HashSet<>();
    private final TreeMap<Long, Entry> byArrival = new TreeMap<>();
    private final Map<Long, Integer> liveBySegment = new HashMap<>();
    private final Set<String> enqueuing = new HashSet<>();
    private long nextOrder;
    /** How many entries are {@link Status#HELD}, so that {@link #size} stays cheap. */
    private int heldCount;

    private final AtomicLong memoryInUse = new AtomicLong();
    /** Bytes handed to the spill thread and not yet written. */
    private final AtomicLong spillBacklog = new AtomicLong();
    private final AtomicBoolean sentUnsynced = new AtomicBoolean();
    private volatile boolean closed;

    /**
     * Opens (creating if needed) the queue in {@code dir} with the default {@link Settings}.
     *
     * @throws QueueInUseException if another server has the queue open
     */
    public static FileMailQueue open(Path dir, QueueIds ids, Clock clock) throws IOException {
        return open(dir, ids, clock, Settings.defaults());
    }

    /**
     * Opens (creating if needed) the queue in {@code dir}: claims it, replays its log, imports mail
     * of the earlier layout, and starts taking mail. The queue is this process's until {@link #close}.
     *
     * @throws QueueInUseException if another server has the queue open
     */
    public static FileMailQueue open(Path dir, QueueIds ids, Clock clock, Settings settings) throws IOException {
        return new FileMailQueue(dir, ids, clock, settings);
    }

    private FileMailQueue(Path dir, QueueIds ids, Clock clock, Settings settings) throws IOException {
        this.dir = dir;
        this.ids = ids;
        this.clock = clock;
        this.settings = settings;
        // Claimed before anything is read: recovery cuts torn tails, which another server may be writing.
        this.claim = QueueLock.acquire(Files.createDirectories(dir, OwnerOnly.directory(dir)));
        GroupCommit<Append> started = null;
        ScheduledExecutorService startedTimer = null;
        ExecutorService startedSpiller = null;
        SegmentLog segments = null;
        try {
            this.freeSpace = new FreeSpace(Files.getFileStore(dir), System::nanoTime);
            this.spillDir = Files.createDirectories(dir.resolve("spill"), OwnerOnly.directory(dir));
            this.sentDir = Files.createDirectories(dir.resolve("sent"), OwnerOnly.directory(dir));
            this.maildropDir = Files.createDirectories(dir.resolve(MAILDROP), OwnerOnly.directory(dir));
            this.damagedDir = dir.resolve(DAMAGED);
            segments = new SegmentLog(dir.resolve("log"), settings.segmentSize());
            this.log = segments;
            recover();
            log.start();
            forgetOldMarkers();
            startedSpiller = Executors.newSingleThreadExecutor(daemon("postlet-queue-spill"));
            this.spiller = startedSpiller;
            started = new GroupCommit<>("postlet-queue-commit", Duration.ZERO, DONE_RIDE_LIMIT, this::commitBatch);
            this.commits = started;
            importEarlierLayout();
            startedTimer = Executors.newSingleThreadScheduledExecutor(daemon("postlet-queue-timer"));
            this.timer = startedTimer;
        } catch (IOException | RuntimeException e) {
            if (started != null) {
                started.close();
            }
            if (startedSpiller != null) {
                startedSpiller.shutdownNow();
            }
            if (segments != null) {
                segments.close();
            }
            claim.close();
            throw e;
        }
        timer.scheduleWithFixedDelay(this::tick, 0, 1, TimeUnit.SECONDS);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    // ---------------------------------------------------------------- recovery

    private void recover() throws IOException {
        Map<String, Entry> found = new LinkedHashMap<>();
        List<Long> all = log.segments();
        for (long segment : all) {
            log.scan(segment, segment == all.get(all.size() - 1),
                    (seg, position, type, payload) -> replay(found, seg, position, type, payload),
                    this::quarantine);
        }
        Instant now = clock.instant();
        List<Entry> recovered = new ArrayList<>();
        for (Entry e : found.values()) {
            if (e.spill != null && (!Files.isRegularFile(e.spill) || Files.size(e.spill) != e.size)) {
                LOG.error("queue: the message of {} ({}) is missing or not {} bytes long; the mail cannot be delivered",
                        e.id, e.spill, e.size);
                continue;
            }
            recovered.add(e);
        }
        recovered.sort(Comparator.comparing((Entry e) -> e.envelope.receivedAt()).thenComparing(e -> e.id));
        Set<Path> spills = new HashSet<>();
        lock.lock();
        try {
            liveBySegment.clear(); // counted again as the mails go into the index
            for (Entry e : recovered) {
                e.redelivery = true;
                // The delay left: never more than the delay given, even if the clock was set back since.
                long left = e.deferral.map(d -> Math.min(Duration.between(now, d.nextAttempt()).toNanos(),
                        Duration.between(e.deferredAt, d.nextAttempt()).toNanos())).orElse(0L);
                e.dueNanos = System.nanoTime() + Math.max(0, left);
                Status status = e.status == Status.HELD ? Status.HELD : left > 0 ? Status.DEFERRED : Status.WAITING;
                e.status = Status.WAITING;
                insert(e, status);
                if (e.spill != null) {
                    spills.add(e.spill);
                }
            }
        } finally {
            lock.unlock();
        }
        // Spill files of messages whose clients went away, or whose mails are done.
        try (DirectoryStream<Path> files = Files.newDirectoryStream(spillDir)) {
            for (Path p : files) {
                if (!spills.contains(p)) {
                    Files.deleteIfExists(p);
                }
            }
        }
        if (!recovered.isEmpty()) {
            LOG.info("queue: {} mail(s) from before the restart queued for processing", recovered.size());
        }
    }

    private void replay(Map<String, Entry> found, long segment, long position, byte type, ByteBuffer payload) {
        LogFormat.Record record;
        try {
            record = LogFormat.decode(type, payload.duplicate());
            if (record instanceof LogFormat.Mail m) {
                MailFile.Records r = MailFile.parse(m.records(), log.path(segment) + " at " + position);
                if (!r.id().equals(m.id()) || !acceptableId(m.id())
                        || m.spillFile().filter(name -> !acceptableId(name)).isPresent()) {
                    throw new IOException("the record of " + m.id() + " has the envelope of " + r.id() + " or a bad name");
                }
                Entry e = new Entry(m.id(), r.envelope(), r.state(), r.attributes(), m.records(), m.messageSize());
                e.remaining = m.remaining();
                e.deferral = m.deferral();
                e.deferredAt = m.deferredAt();
                e.status = m.held() ? Status.HELD : Status.WAITING;
                e.segment = segment;
                if (m.spillFile().isPresent()) {
                    e.spill = spillDir.resolve(m.spillFile().get());
                } else {
                    e.position = position + LogFormat.FRAME_HEADER + m.messagePosition();
                }
                Entry old = found.put(e.id, e);
                if (old != null) {
                    liveBySegment.merge(old.segment, -1, Integer::sum);
                }
                liveBySegment.merge(segment, 1, Integer::sum);
                return;
            }
        } catch (IOException e) {
            LOG.error("queue: a record in {} at {} does not parse: {}", log.path(segment), position, e.getMessage());
            ByteBuffer frame = ByteBuffer.allocate(LogFormat.FRAME_HEADER + payload.remaining());
            quarantine(segment, position, frame.put(new byte[LogFormat.FRAME_HEADER]).put(payload.duplicate()).flip());
            return;
        }
        Entry e = found.get(record.id());
        if (e == null) {
            return; // undoes a record in a segment deleted already
        }
        if (record instanceof LogFormat.Done) {
            found.remove(record.id());
            liveBySegment.merge(e.segment, -1, Integer::sum);
        } else if (record instanceof LogFormat.Defer d) {
            e.remaining = d.remaining();
            e.deferral = Optional.of(d.deferral());
            e.deferredAt = d.deferredAt();
        } else if (record instanceof LogFormat.Hold) {
            e.status = Status.HELD;
        } else if (record instanceof LogFormat.Unhold) {
            e.status = Status.WAITING;
        }
    }

    /** Keeps a damaged stretch of the log where an operator finds it; it is never delivered. */
    private void quarantine(long segment, long position, ByteBuffer bytes) {
        Path file = damagedDir.resolve(log.path(segment).getFileName() + "-" + position + ".damaged");
        try {
            Files.createDirectories(damagedDir, OwnerOnly.directory(dir));
            try (FileChannel out = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE), OwnerOnly.file(damagedDir))) {
                ByteBuffer b = bytes.duplicate();
                while (b.hasRemaining()) {
                    out.write(b);
                }
                out.force(true);
            }
            Fsync.directory(damagedDir);
            LOG.error("queue: {} bytes of {} at {} are damaged (no valid record); copied to {} and not delivered:"
                    + " check the disk, and the bytes with less", bytes.remaining(), log.path(segment).getFileName(), position, file);
        } catch (IOException e) {
            LOG.error("queue: {} bytes of {} at {} are damaged and cannot be copied to {}: {}; not delivered",
                    bytes.remaining(), log.path(segment), position, file, e.toString());
        }
    }

    private void forgetOldMarkers() throws IOException {
        Instant forgetBefore = clock.instant().minus(SENT_MEMORY);
        try (DirectoryStream<Path> markers = Files.newDirectoryStream(sentDir)) {
            for (Path p : markers) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(forgetBefore)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    // ---------------------------------------------------------------- the index (callers hold the lock)

    private void insert(Entry e, Status status) {
        e.order = nextOrder++;
        entries.put(e.id, e);
        byArrival.put(e.order, e);
        liveBySegment.merge(e.segment, 1, Integer::sum);
        move(e, status, false);
    }

    private void drop(Entry e) {
        if (e.status == Status.HELD) {
            heldCount--;
        }
        entries.remove(e.id);
        byArrival.remove(e.order);
        deferred.remove(e);
        ready.remove(e);
        liveBySegment.merge(e.segment, -1, Integer::sum);
        forgetMemory(e);
    }

    private void move(Entry e, Status status, boolean first) {
        if (e.status == Status.DEFERRED) {
            deferred.remove(e);
        } else if (e.status == Status.HELD) {
            heldCount--;
        }
        if (status == Status.HELD) {
            heldCount++;
        }
        e.status = status;
        if (status == Status.DEFERRED) {
            deferred.add(e);
        } else if (status == Status.WAITING) {
            if (first) {
                ready.addFirst(e);
            } else {
                ready.addLast(e);
            }
            readyChanged.signal();
        }
    }

    private void forgetMemory(Entry e) {
        if (e.memory != null) {
            e.memory = null;
            memoryInUse.addAndGet(-e.size);
        }
    }

    private boolean current(Entry e) {
        return entries.get(e.id) == e;
    }

    // ---------------------------------------------------------------- enqueueing

    @Override
    public Enqueuing enqueue(MailEnvelope envelope, ProcessingState state, Map<String, Serializable> attributes) throws IOException {
        return start(ids.next(), envelope, state, attributes, false);
    }

    @Override
    public Optional<Enqueuing> enqueueOnce(String id, MailEnvelope envelope, ProcessingState state,
                                           Map<String, Serializable> attributes) throws IOException {
        if (!acceptableId(id)) {
            throw new IllegalArgumentException("'" + id + "' cannot be a queue id: letters and digits, at most 64");
        }
        lock.lock();
        try {
            if (entries.containsKey(id) || !enqueuing.add(id)) {
                return Optional.empty();
            }
        } finally {
            lock.unlock();
        }
        try {
            if (Files.exists(sentDir.resolve(id))) {
                forgetEnqueuing(id);
                return Optional.empty();
            }
            return Optional.of(start(id, envelope, state, attributes, true));
        } catch (IOException | RuntimeException e) {
            forgetEnqueuing(id);
            throw e;
        }
    }

    private void forgetEnqueuing(String id) {
        lock.lock();
        try {
            enqueuing.remove(id);
        } finally {
            lock.unlock();
        }
    }

    private Enqueuing start(String id, MailEnvelope envelope, ProcessingState state, Map<String, Serializable> attributes,
                            boolean once) throws IOException {
        if (closed) {
            throw new IOException("queue " + dir + " is closed");
        }
        long free = freeSpace.usable(settings.minFreeBytes());
        if (free < settings.minFreeBytes()) {
            throw new IOException("queue " + dir + " has only " + free / 1024 + " KiB free; "
                    + settings.minFreeBytes() / 1024 + " KiB are kept free");
        }
        byte[] records;
        try {
            records = MailFile.header(id, envelope, state, Optional.empty(), attributes);
        } catch (UncheckedIOException e) {
            throw new IOException(e.getMessage(), e.getCause()); // an attribute that cannot be serialised: say which
        }
        return new Incoming(id, envelope, state, Map.copyOf(attributes), records, once);
    }

    @Override
    public boolean hasRoomFor(long size) {
        try {
            long needed = settings.minFreeBytes() + size;
            return freeSpace.usable(needed) >= needed;
        } catch (IOException e) {
            LOG.warn("queue: cannot tell the free space of {}: {}", dir, e.toString());
            return false;
        }
    }

    /** A mail being received: in memory up to the spill threshold, then in a spill file. */
    private final class Incoming implements Enqueuing {
        private final String id;
        private final MailEnvelope envelope;
        private final ProcessingState state;
        private final Map<String, Serializable> attributes;
        private final byte[] records;
        private final boolean once;
        private byte[] buffer = new byte[8192];
        private int length;
        private Spill spill;
        private long spilled;
        private boolean finished;

        Incoming(String id, MailEnvelope envelope, ProcessingState state, Map<String, Serializable> attributes, byte[] records,
                 boolean once) {
            this.id = id;
            this.envelope = envelope;
            this.state = state;
            this.attributes = attributes;
            this.records = records;
            this.once = once;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public void write(ByteBuffer bytes) throws IOException {
            if (finished) {
                throw new IllegalStateException("mail " + id + " was committed or aborted already");
            }
            int n = bytes.remaining();
            if (spill == null && (long) length + n <= settings.spillThreshold()) {
                if (length + n > buffer.length) {
                    buffer = java.util.Arrays.copyOf(buffer, (int) Math.min(settings.spillThreshold(),
                            Math.max((long) buffer.length * 2, (long) length + n)));
                }
                bytes.get(buffer, length, n);
                length += n;
                return;
            }
            if (spill == null) {
                spill = new Spill(spillDir.resolve(id));
                spill.write(buffer, length);
                spilled = length;
                buffer = null;
            }
            long backlog = spillBacklog.get();
            if (backlog > 0 && backlog + n > settings.memoryBudget()) {
                // The disk does not keep up: refuse rather than hold every big message in memory.
                throw new IOException("queue " + dir + ": " + backlog / 1024 + " KiB of messages wait to be written to disk;"
                        + " try again later");
            }
            byte[] chunk = new byte[n];
            bytes.get(chunk);
            spill.write(chunk, n);
            spilled += n;
        }

        @Override
        public CompletionStage<Void> commit() {
            if (finished) {
                return CompletableFuture.failedFuture(new IllegalStateException("mail " + id + " was committed or aborted already"));
            }
            finished = true;
            Entry e = new Entry(id, envelope, state, attributes, records, spill == null ? length : spilled);
            CompletableFuture<Void> durable;
            if (spill == null) {
                e.memory = buffer;
                durable = commits.submit(new NewMail(e, Status.WAITING));
            } else {
                e.spill = spill.file;
                durable = spill.finish().thenCompose(v -> commits.submit(new NewMail(e, Status.WAITING)));
            }
            buffer = null;
            return durable.whenComplete((ok, failure) -> {
                if (once) {
                    forgetEnqueuing(id);
                }
                if (failure != null && spill != null) {
                    spill.delete(); // the sender gets a temporary failure: keep nothing of it
                }
            });
        }

        @Override
        public void abort() {
            if (finished) {
                return;
            }
            finished = true;
            buffer = null;
            if (once) {
                forgetEnqueuing(id);
            }
            if (spill != null) {
                spill.delete();
            }
        }
    }

    /** A message written to a file of its own, in order, by the spill thread: never on the caller's. */
    private final class Spill {
        final Path file;
        private FileChannel channel;
        private IOException failure;

        Spill(Path file) {
            this.file = file;
        }

        void write(byte[] bytes, int length) {
            spillBacklog.addAndGet(length);
            spiller.execute(() -> {
                if (failure != null) {
                    spillBacklog.addAndGet(-length);
                    return;
                }
                try {
                    if (channel == null) {
                        channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                                OwnerOnly.file(spillDir));
                    }
                    ByteBuffer b = ByteBuffer.wrap(bytes, 0, length);
                    while (b.hasRemaining()) {
                        channel.write(b);
                    }
                } catch (IOException e) {
                    failure = e;
                } finally {
                    spillBacklog.addAndGet(-length);
                }
            });
        }

        CompletableFuture<Void> finish() {
            return CompletableFuture.runAsync(() -> {
                try {
                    if (failure != null) {
                        throw failure;
                    }
                    channel.force(true);
                    channel.close();
                } catch (IOException e) {
                    throw new UncheckedIOException("queue: cannot store the message in " + file + ": " + e.getMessage(), e);
                }
            }, spiller);
        }

        void delete() {
            try {
                spiller.execute(() -> {
                    try {
                        if (channel != null) {
                            channel.close();
                        }
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        LOG.warn("queue: cannot delete the spill file {}: {}", file, e.toString());
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // the queue is closed: the next open deletes the file as an orphan
            }
        }
    }

    /** A mail new to the queue: received, imported or picked up. */
    private final class NewMail implements Append {
        private final Entry entry;
        private final Status status;

        NewMail(Entry entry, Status status) {
            this.entry = entry;
            this.status = status;
        }

        @Override
        public LogFormat.Frame frame() {
            Entry e = entry;
            return e.spill != null
                    ? LogFormat.mailSpilled(e.id, status == Status.HELD, e.deferral, e.deferredAt, e.remaining, e.records,
                    e.spill.getFileName().toString(), e.size)
                    : LogFormat.mail(e.id, status == Status.HELD, e.deferral, e.deferredAt, e.remaining, e.records, e.memory,
                    (int) e.size);
        }

        @Override
        public boolean spilled() {
            return entry.spill != null;
        }

        @Override
        public void applied(SegmentLog.Placement placement, LogFormat.Frame frame) {
            Entry e = entry;
            e.segment = placement.segment();
            if (e.spill == null) {
                e.position = placement.position() + frame.messagePosition();
                if (memoryInUse.addAndGet(e.size) > settings.memoryBudget()) {
                    memoryInUse.addAndGet(-e.size);
                    e.memory = null; // read back from the segment when taken
                }
            }
            lock.lock();
            try {
                Entry previous = entries.get(e.id);
                if (previous != null) {
                    drop(previous); // a requeued mail of the same id: the later one wins, as at recovery
                }
                insert(e, status);
            } finally {
                lock.unlock();
            }
        }
    }

    // ---------------------------------------------------------------- taking

    @Override
    public Optional<Lease> take(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (!closed) {
                Entry e = ready.pollFirst();
                if (e != null) {
                    if (e.status != Status.WAITING || !current(e)) {
                        continue; // moved on since it was put in line
                    }
                    e.status = Status.LEASED;
                    MessageContent content = content(e);
                    e.lease = new Lease(e.id, e.envelope, e.state, e.attributes, e.remaining, e.deferral, e.redelivery, content);
                    return Optional.of(e.lease);
                }
                if (nanos <= 0) {
                    return Optional.empty();
                }
                nanos = readyChanged.awaitNanos(nanos);
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletionStage<Void> acknowledge(Lease lease, Disposition disposition) {
        List<MailAddress> retrying = lease.recipients().stream()
                .filter(r -> disposition.outcomes().get(r) instanceof RecipientOutcome.Retry).toList();
        Entry e;
        lock.lock();
        try {
            e = entries.get(lease.id());
            if (e == null || e.lease != lease || closed) { // at close every lease goes back to the log
                return CompletableFuture.failedFuture(new LeaseExpiredException(lease.id()));
            }
            e.lease = null;
            if (!retrying.isEmpty()) {
                Instant now = clock.instant();
                Duration delay = disposition.retryDelay().orElse(Duration.ZERO);
                e.remaining = retrying;
                e.deferral = Optional.of(new Deferral(e.deferral.map(Deferral::attempts).orElse(0) + 1,
                        e.deferral.map(Deferral::firstFailure).orElse(now), now.plus(delay), disposition.retryReason()));
                e.deferredAt = now;
                e.dueNanos = System.nanoTime() + delay.toNanos();
                e.redelivery = false;
                forgetMemory(e);
                boolean hold = e.holdAfterLease;
                e.holdAfterLease = false;
                move(e, hold ? Status.HELD : Status.DEFERRED, false);
                if (!hold) {
                    wakeUpAfter(delay);
                }
            }
        } finally {
            lock.unlock();
        }
        if (retrying.isEmpty()) {
            return finish(e);
        }
        return commits.submit(new Persist(e, LogFormat.DEFER));
    }

    /** Ends a mail: remembered as sent if generated, out of the index, a DONE record. */
    private CompletableFuture<Void> finish(Entry e) {
        if (QueueIds.isDerived(e.id)) {
            try {
                // Before it leaves the index, so that enqueueOnce always finds one or the other.
                Files.createFile(sentDir.resolve(e.id), OwnerOnly.file(sentDir));
                sentUnsynced.set(true);
            } catch (java.nio.file.FileAlreadyExistsException known) {
                // processed before: a requeued generated mail
            } catch (IOException failure) {
                LOG.error("queue: cannot remember that {} was processed: {}; it may be generated again", e.id, failure.toString());
            }
        }
        lock.lock();
        try {
            drop(e);
        } finally {
            lock.unlock();
        }
        // Riding: no one waits for it, so it does not wake the commit thread (a context switch per mail).
        CompletableFuture<Void> durable = commits.submitRiding(new Append() {
            @Override
            public LogFormat.Frame frame() {
                return LogFormat.done(e.id);
            }

            @Override
            public void applied(SegmentLog.Placement placement, LogFormat.Frame frame) {
                // the mail left the index when it was acknowledged; its spill file goes once this is durable
            }
        });
        if (e.spill != null) {
            Path spill = e.spill;
            durable.thenRun(() -> {
                try {
                    Files.deleteIfExists(spill);
                } catch (IOException failure) {
                    LOG.warn("queue: cannot delete the spill file {}: {}", spill, failure.toString());
                }
            });
        }
        return durable;
    }

    @Override
    public void release(Lease lease) {
        lock.lock();
        try {
            Entry e = entries.get(lease.id());
            if (e == null || e.lease != lease) {
                return;
            }
            e.lease = null;
            e.redelivery = true;
            boolean hold = e.holdAfterLease;
            e.holdAfterLease = false;
            move(e, hold ? Status.HELD : Status.WAITING, true);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes a deferral or hold durable: a small record when the mail's MAIL record is in the head
     * segment, else the whole mail re-appended, so that its old segment can go.
     */
    private final class Persist implements Append {
        private final Entry entry;
        private final byte kind;
        private boolean whole;

        Persist(Entry entry, byte kind) {
            this.entry = entry;
            this.kind = kind;
        }

        @Override
        public LogFormat.Frame frame() {
            Entry e = entry;
            List<MailAddress> remaining;
            Optional<Deferral> deferral;
            Instant deferredAt;
            boolean held;
            long segment;
            lock.lock();
            try {
                if (!current(e)) {
                    return null; // done or removed meanwhile: its DONE follows
                }
                remaining = e.remaining;
                deferral = e.deferral;
                deferredAt = e.deferredAt;
                held = e.held();
                segment = e.segment;
            } finally {
                lock.unlock();
            }
            whole = kind == LogFormat.MAIL || segment != log.head();
            if (!whole) {
                return kind == LogFormat.DEFER ? LogFormat.defer(e.id, remaining, deferral.orElseThrow(), deferredAt)
                        : LogFormat.hold(e.id, held);
            }
            if (e.spill != null) {
                return LogFormat.mailSpilled(e.id, held, deferral, deferredAt, remaining, e.records, e.spill.getFileName().toString(),
                        e.size);
            }
            try {
                byte[] message = new byte[(int) e.size];
                try (FileChannel in = FileChannel.open(log.path(segment))) {
                    ByteBuffer b = ByteBuffer.wrap(message);
                    while (b.hasRemaining()) {
                        if (in.read(b, e.position + b.position()) < 0) {
                            throw new IOException("it ends before the message of " + e.id);
                        }
                    }
                }
                return LogFormat.mail(e.id, held, deferral, deferredAt, remaining, e.records, message, message.length);
            } catch (IOException failure) {
                // The mail stays where it is, with its state in memory; after a crash it runs again.
                LOG.error("queue: cannot copy {} out of {}: {}", e.id, log.path(segment), failure.toString());
                return null;
            }
        }

        @Override
        public void applied(SegmentLog.Placement placement, LogFormat.Frame frame) {
            lock.lock();
            try {
                entry.compacting = false;
                if (!whole || !current(entry)) {
                    return;
                }
                liveBySegment.merge(entry.segment, -1, Integer::sum);
                entry.segment = placement.segment();
                if (entry.spill == null) {
                    entry.position = placement.position() + frame.messagePosition();
                }
                liveBySegment.merge(entry.segment, 1, Integer::sum);
            } finally {
                lock.unlock();
            }
        }
    }

    // ---------------------------------------------------------------- operators

    @Override
    public List<QueuedMailSummary> browse() {
        lock.lock();
        try {
            List<QueuedMailSummary> all = new ArrayList<>(entries.size());
            for (Entry e : byArrival.values()) {
                all.add(summary(e));
            }
            return all;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<QueuedMailSummary> find(String id) {
        lock.lock();
        try {
            return Optional.ofNullable(entries.get(id)).map(this::summary);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<QueuedMailDetail> inspect(String id) {
        lock.lock();
        try {
            return Optional.ofNullable(entries.get(id)).map(e -> new QueuedMailDetail(summary(e), Optional.of(e.state),
                    e.attributes, Optional.of(content(e))));
        } finally {
            lock.unlock();
        }
    }

    /** Where a mail's message is: in memory, in its spill file, or in its log segment (called under the lock). */
    private MessageContent content(Entry e) {
        return e.memory != null ? Contents.memory(e.memory, (int) e.size)
                : e.spill != null ? Contents.file(e.spill, 0, e.size)
                : Contents.file(log.path(e.segment), e.position, e.size);
    }

    private QueuedMailSummary summary(Entry e) {
        QueueState state = switch (e.status) {
            case HELD -> QueueState.HELD;
            case DEFERRED -> QueueState.DEFERRED;
            default -> e.holdAfterLease ? QueueState.HELD : QueueState.ACTIVE;
        };
        return new QueuedMailSummary(e.id, e.envelope.receivedAt(), e.size, e.envelope, e.remaining, state, e.deferral);
    }

    @Override
    public boolean remove(String id) throws IOException {
        Entry e;
        lock.lock();
        try {
            e = entries.get(id);
            if (e == null || e.status == Status.LEASED) {
                return false;
            }
        } finally {
            lock.unlock();
        }
        await(finish(e));
        return true;
    }

    @Override
    public boolean hold(String id) throws IOException {
        Entry e;
        lock.lock();
        try {
            e = entries.get(id);
            if (e == null) {
                return false;
            }
            switch (e.status) {
                case HELD -> {
                    return true;
                }
                case LEASED -> e.holdAfterLease = true;
                default -> {
                    ready.remove(e);
                    move(e, Status.HELD, false);
                }
            }
        } finally {
            lock.unlock();
        }
        await(commits.submit(new Persist(e, LogFormat.HOLD)));
        return true;
    }

    @Override
    public boolean unhold(String id) throws IOException {
        Entry e;
        lock.lock();
        try {
            e = entries.get(id);
            if (e == null) {
                return false;
            }
            if (e.status == Status.LEASED && e.holdAfterLease) {
                e.holdAfterLease = false;
            } else if (e.status == Status.HELD) {
                move(e, due(e, clock.instant()) ? Status.WAITING : Status.DEFERRED, false);
            } else {
                return false;
            }
        } finally {
            lock.unlock();
        }
        await(commits.submit(new Persist(e, LogFormat.UNHOLD)));
        return true;
    }

    @Override
    public int flush() {
        lock.lock();
        try {
            List<Entry> due = new ArrayList<>(deferred);
            due.sort(Comparator.comparingLong(e -> e.order));
            due.forEach(e -> move(e, Status.WAITING, false));
            return due.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public QueueSize size() {
        lock.lock();
        try {
            return new QueueSize(entries.size(), deferred.size(), heldCount,
                    byArrival.isEmpty() ? Optional.empty() : Optional.of(byArrival.firstEntry().getValue().envelope.receivedAt()));
        } finally {
            lock.unlock();
        }
    }

    private static void await(CompletableFuture<Void> durable) throws IOException {
        try {
            durable.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw new IOException(cause.getMessage(), cause);
        }
    }

    /** How many times the log was forced to disk: for measurements. */
    long forces() {
        return log.forces();
    }

    // ---------------------------------------------------------------- the timer: retries, segments, maildrop

    private void wakeUpAfter(Duration delay) {
        if (!closed) {
            try {
                timer.schedule(this::releaseDue, Math.max(0, delay.toMillis()) + 1, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closed meanwhile: the deferral is in the log and wakes up after the next open
            }
        }
    }

    private void tick() {
        try {
            releaseDue();
            reclaimSegments();
            pickUpMaildrop();
        } catch (RuntimeException e) {
            LOG.error("queue: housekeeping failed: {}", e.toString(), e);
        }
    }

    /**
     * Whether a deferred mail's time has come: by the clock (which tests move, and which may jump
     * ahead), or by the monotonic time of its delay (should the clock have been set back since).
     */
    private static boolean due(Entry e, Instant now) {
        return e.deferral.map(d -> !d.nextAttempt().isAfter(now)).orElse(true) || System.nanoTime() - e.dueNanos >= 0;
    }

    /** Deferred mails whose time has come back in line. */
    private void releaseDue() {
        lock.lock();
        try {
            Instant now = clock.instant();
            List<Entry> due = new ArrayList<>();
            for (Entry e : deferred) {
                if (due(e, now)) {
                    due.add(e);
                }
            }
            due.sort(Comparator.comparingLong(e -> e.order));
            due.forEach(e -> move(e, Status.WAITING, false));
        } finally {
            lock.unlock();
        }
    }

    /** Deletes the oldest segments nothing live is in; compacts the oldest when only deferred and held mails keep it. */
    void reclaimSegments() {
        for (long segment : log.segments()) {
            if (segment == log.head()) {
                return;
            }
            List<Entry> compact = new ArrayList<>();
            lock.lock();
            try {
                if (liveBySegment.getOrDefault(segment, 0) > 0) {
                    for (Entry e : entries.values()) {
                        if (e.segment == segment) {
                            if (e.status != Status.DEFERRED && e.status != Status.HELD) {
                                return; // being processed, or soon: it goes by itself
                            }
                            if (!e.compacting) {
                                compact.add(e);
                            }
                        }
                    }
                    compact.forEach(e -> e.compacting = true);
                } else {
                    liveBySegment.remove(segment);
                }
            } finally {
                lock.unlock();
            }
            if (!compact.isEmpty()) {
                compact.forEach(e -> commits.submit(new Persist(e, LogFormat.MAIL)));
                return;
            }
            logLock.lock();
            try {
                lock.lock();
                try {
                    if (liveBySegment.getOrDefault(segment, 0) > 0) {
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                if (sentUnsynced.getAndSet(false)) {
                    Fsync.directory(sentDir); // the markers must outlive the records of their mails
                }
                log.delete(segment);
            } catch (IOException e) {
                LOG.warn("queue: cannot delete the log segment {}: {}", log.path(segment), e.toString());
                return;
            } finally {
                logLock.unlock();
            }
        }
    }

    /**
     * Moves the mails dropped into {@code maildrop/} (by {@link #drop}) into the queue, as possible
     * redeliveries. Runs every second.
     *
     * @return how many were picked up
     */
    int pickUpMaildrop() {
        List<Path> dropped = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(maildropDir, p -> !p.getFileName().toString().startsWith("."))) {
            files.forEach(dropped::add);
        } catch (IOException e) {
            LOG.warn("queue: cannot list {}: {}", maildropDir, e.toString());
            return 0;
        }
        dropped.sort(null);
        int picked = 0;
        for (Path file : dropped) {
            try {
                if (!MailFile.sealed(file)) {
                    LOG.warn("queue: {} in {} is incomplete or damaged (its seal does not match); leaving it there",
                            file.getFileName(), MAILDROP);
                    continue;
                }
                MailFile.Kept kept = MailFile.read(file);
                if (!acceptableId(kept.id())) {
                    LOG.warn("queue: {} in {} has the id '{}', which cannot be a queue id; leaving it there",
                            file.getFileName(), MAILDROP, kept.id());
                    continue;
                }
                if (queued(kept.id())) {
                    LOG.warn("queue: {} is already queued; leaving it in {}", kept.id(), maildropDir);
                    continue;
                }
                bringIn(file, kept, kept.envelope().recipients(), Optional.empty());
                Files.delete(file);
                Fsync.directory(maildropDir);
                picked++;
                LOG.info("queue: {} picked up from {} for processing", kept.id(), MAILDROP);
            } catch (IOException e) {
                LOG.warn("queue: cannot pick up {}: {}", file, e.getMessage());
            }
        }
        return picked;
    }

    private boolean queued(String id) {
        lock.lock();
        try {
            return entries.containsKey(id);
        } finally {
            lock.unlock();
        }
    }

    /** Appends a mail kept in a file as a new mail of the queue, a possible redelivery; waits until it is durable. */
    private void bringIn(Path file, MailFile.Kept kept, List<MailAddress> remaining, Optional<Deferral> deferral) throws IOException {
        byte[] records = MailFile.header(kept.id(), kept.envelope(), kept.state(), Optional.empty(), kept.attributes());
        Entry e = new Entry(kept.id(), kept.envelope(), kept.state(), kept.attributes(), records, kept.messageSize());
        e.remaining = remaining.isEmpty() ? kept.envelope().recipients() : remaining;
        e.deferral = deferral;
        Instant now = clock.instant();
        e.deferredAt = now; // not known: the delay left is what the clock says
        Duration left = deferral.map(d -> Duration.between(now, d.nextAttempt())).orElse(Duration.ZERO);
        e.dueNanos = System.nanoTime() + Math.max(0, left.toNanos());
        e.redelivery = true;
        try (FileChannel in = FileChannel.open(file)) {
            if (kept.messageSize() <= settings.spillThreshold()) {
                byte[] message = new byte[(int) kept.messageSize()];
                ByteBuffer b = ByteBuffer.wrap(message);
                while (b.hasRemaining()) {
                    if (in.read(b, kept.messageOffset() + b.position()) < 0) {
                        throw new IOException(file + ": shorter than its records say");
                    }
                }
                e.memory = message;
            } else {
                e.spill = spillDir.resolve(kept.id() + "-" + clock.millis());
                try (FileChannel out = FileChannel.open(e.spill, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        OwnerOnly.file(spillDir))) {
                    long done = 0;
                    while (done < kept.messageSize()) {
                        done += in.transferTo(kept.messageOffset() + done, kept.messageSize() - done, out);
                    }
                    out.force(true);
                }
            }
        }
        Status status = left.isNegative() || left.isZero() ? Status.WAITING : Status.DEFERRED;
        try {
            await(commits.submit(new NewMail(e, status)));
        } catch (IOException failure) {
            if (e.spill != null) {
                Files.deleteIfExists(e.spill);
            }
            throw failure;
        }
    }

    /** Imports the one-file-per-mail spool of earlier versions ({@code queue/}, {@code retry/}) into the log. */
    private void importEarlierLayout() throws IOException {
        Path queueDir = dir.resolve("queue");
        Path retryDir = dir.resolve("retry");
        Path incoming = dir.resolve("incoming");
        if (Files.isDirectory(incoming)) { // partly received messages of still earlier versions: never acknowledged
            deleteTree(incoming);
        }
        if (Files.isDirectory(queueDir)) {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> listing = Files.newDirectoryStream(queueDir)) {
                listing.forEach(files::add);
            }
            files.sort(null);
            int imported = 0;
            for (Path p : files) {
                Path retry = retryDir.resolve(p.getFileName());
                if (!MailFile.sealed(p)) {
                    if (MailFile.endsWithSealLine(p)) {
                        moveToDamaged(p, "its content no longer matches its seal");
                    } else {
                        LOG.info("queue: discarding {}, which was still being received when the server stopped", p.getFileName());
                        Files.deleteIfExists(p);
                    }
                    Files.deleteIfExists(retry);
                    continue;
                }
                MailFile.Kept kept;
                try {
                    kept = MailFile.read(p);
                } catch (IOException e) {
                    moveToDamaged(p, e.getMessage());
                    Files.deleteIfExists(retry);
                    continue;
                }
                if (!acceptableId(kept.id())) {
                    moveToDamaged(p, "its id '" + kept.id() + "' cannot be a queue id");
                    Files.deleteIfExists(retry);
                    continue;
                }
                List<MailAddress> remaining = List.of();
                Optional<Deferral> deferral = Optional.empty();
                if (Files.exists(retry)) {
                    EarlierRetry state = EarlierRetry.read(retry);
                    remaining = state.remaining();
                    deferral = Optional.of(state.deferral());
                }
                if (!queued(kept.id())) { // else imported before a crash that left the file
                    bringIn(p, kept, remaining, deferral);
                    imported++;
                }
                Files.delete(p);
                Files.deleteIfExists(retry);
            }
            deleteTree(retryDir);
            Files.deleteIfExists(queueDir);
            Fsync.directory(dir);
            if (imported > 0) {
                LOG.info("queue: {} mail(s) of the earlier spool layout imported into the log", imported);
            }
        }
    }

    private void moveToDamaged(Path file, String why) throws IOException {
        Files.createDirectories(damagedDir, OwnerOnly.directory(dir));
        Path target = damagedDir.resolve(file.getFileName());
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Fsync.directory(damagedDir);
        LOG.error("queue: {} is damaged ({}); moved to {} and not delivered: check the disk, and the message with less",
                file.getFileName(), why, target);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Puts a kept mail (a {@link MailFile}, as {@code ToRepository} writes them) into the maildrop
     * of the queue in {@code queueDirectory}, for the server to process again; works while the
     * server is down. The file is checked first and moved, so it cannot be requeued twice.
     *
     * @return the queue id of the mail
     * @throws IOException if the file is not a kept mail or cannot be moved
     */
    public static String drop(Path queueDirectory, Path keptMailFile) throws IOException {
        MailFile.Kept kept = MailFile.read(keptMailFile);
        if (!MailFile.sealed(keptMailFile)) {
            throw new IOException(keptMailFile + ": the kept mail is damaged (its seal does not match its content)");
        }
        if (!acceptableId(kept.id())) {
            throw new IOException(keptMailFile + ": its id '" + kept.id() + "' cannot be a queue id (letters and digits, at most 64)");
        }
        Path drop = Files.createDirectories(queueDirectory.resolve(MAILDROP), OwnerOnly.directory(queueDirectory));
        Path tmp = drop.resolve("." + kept.id() + ".tmp");
        try (FileChannel c = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE), OwnerOnly.file(drop))) {
            Files.copy(keptMailFile, java.nio.channels.Channels.newOutputStream(c));
            c.force(true);
        }
        Files.move(tmp, drop.resolve(kept.id()), StandardCopyOption.ATOMIC_MOVE);
        Fsync.directory(drop);
        Files.delete(keptMailFile);
        return kept.id();
    }

    // ---------------------------------------------------------------- the group commit

    /**
     * Writes a batch and forces it: one fdatasync. Its futures complete after this returns, outside
     * the lock, so what callers chain on them runs on this thread without holding it.
     */
    private void commitBatch(List<Append> items) throws IOException {
        logLock.lock();
        try {
            appendBatch(items);
        } finally {
            logLock.unlock();
        }
    }

    private void appendBatch(List<Append> items) throws IOException {
        List<LogFormat.Frame> frames = new ArrayList<>(items.size());
        boolean spilled = false;
        for (Append a : items) {
            frames.add(a.frame());
            spilled |= a.spilled();
        }
        if (spilled) {
            Fsync.directory(spillDir); // the spill files' names, in the same commit as the records naming them
        }
        SegmentLog.Placement[] placements = log.commit(frames);
        for (int i = 0; i < items.size(); i++) {
            if (placements[i] != null) {
                items.get(i).applied(placements[i], frames.get(i));
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        lock.lock();
        try {
            readyChanged.signalAll();
        } finally {
            lock.unlock();
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commits.close(); // writes and forces the DONE records still riding
        spiller.shutdown();
        try {
            if (!spiller.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("queue: spill files still being written after 10 s at shutdown; their clients got no reply");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            log.close();
        } catch (IOException e) {
            LOG.warn("queue: cannot close the log of {}: {}", dir, e.toString());
        }
        try {
            claim.close();
        } catch (IOException e) {
            LOG.warn("queue: cannot release the lock of {}: {}", dir, e.toString());
        }
    }
}
