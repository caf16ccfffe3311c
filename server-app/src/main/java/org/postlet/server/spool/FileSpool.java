package org.postlet.server.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.postlet.mailet.ProcessingState;
import org.postlet.maildir.DirectoryDurability;
import org.postlet.maildir.OwnerOnly;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.inbound.InboundQueue;
import org.postlet.smtp.inbound.IncomingMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable queue between SMTP and the pipeline. A message is written into {@code queue/},
 * sealed (see {@link SpoolFormat}), fsync'd, and the directory fsync'd before its commit
 * completes, so a 250 reply always means the message survives a crash. Messages finishing
 * together share one directory fsync (group commit, see {@link DirectorySync}). Every sealed file
 * in {@code queue/} is a mail still to be processed: after a restart all of them are processed
 * again, and files without a seal (their clients got no 250) are discarded.
 *
 * <p>Workers take queued mail with {@link #take} and {@link #remove} it once processing has ended.
 */
public final class FileSpool implements InboundQueue, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FileSpool.class);

    /** Where spool files found damaged at start are moved, for an operator; never processed. */
    static final String DAMAGED = "damaged";

    /** Where {@code bin/postlet requeue} puts kept mails for the server to pick up. */
    static final String MAILDROP = "maildrop";

    /** How long the spool remembers a generated mail it processed: longer than any cause can be retried. */
    static final Duration SENT_MEMORY = Duration.ofDays(30);

    /** Below this much free space new mail is refused with a temporary error instead of failing half-way. */
    public static final long MIN_FREE_BYTES = 64L * 1024 * 1024;

    private final Path queue;
    private final Path retry;
    private final Path maildrop;
    /** Markers of generated mails already processed, kept for {@link #SENT_MEMORY}. */
    private final Path sent;
    private final QueueIds ids;
    private final ExecutorService syncExecutor;
    private final long minFreeBytes;
    private final DirectorySync directorySync;
    private final BlockingQueue<String> ready = new LinkedBlockingQueue<>();
    private final Set<String> recovered = ConcurrentHashMap.newKeySet();
    private final SpoolLock lock;

    /**
     * Opens (creating if needed) the spool in {@code dir} and queues every message found there.
     * The spool is this process's until {@link #close}: no other server can open it meanwhile.
     *
     * @param syncExecutor runs the fsyncs, off the SMTP event loop
     * @throws SpoolInUseException if another server has the spool open
     */
    public FileSpool(Path dir, QueueIds ids, ExecutorService syncExecutor) throws IOException {
        this(dir, ids, syncExecutor, MIN_FREE_BYTES);
    }

    FileSpool(Path dir, QueueIds ids, ExecutorService syncExecutor, long minFreeBytes) throws IOException {
        // Claimed before anything is read: recovery discards unsealed files, which another server may be writing.
        this.lock = SpoolLock.acquire(Files.createDirectories(dir, OwnerOnly.directory(dir)));
        try {
            this.queue = Files.createDirectories(dir.resolve("queue"), OwnerOnly.directory(dir));
            this.retry = Files.createDirectories(dir.resolve("retry"), OwnerOnly.directory(dir));
            this.maildrop = Files.createDirectories(dir.resolve(MAILDROP), OwnerOnly.directory(dir));
            this.sent = Files.createDirectories(dir.resolve("sent"), OwnerOnly.directory(dir));
            this.ids = ids;
            this.syncExecutor = syncExecutor;
            this.minFreeBytes = minFreeBytes;
            recover(dir.resolve("incoming"));
            this.directorySync = new DirectorySync(queue);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        pickUpMaildrop();
    }

    /** Partly received messages were never acknowledged: drop them. Sealed ones are processed again. */
    private void recover(Path oldIncoming) throws IOException {
        if (Files.isDirectory(oldIncoming)) { // the unsealed layout of earlier versions
            try (DirectoryStream<Path> partial = Files.newDirectoryStream(oldIncoming)) {
                for (Path p : partial) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(oldIncoming);
        }
        List<Path> queued = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(queue)) {
            for (Path p : files) {
                if (SpoolFormat.sealed(p)) {
                    queued.add(p);
                } else if (SpoolFormat.endsWithSealLine(p)) {
                    quarantine(p);
                } else {
                    LOG.info("spool: discarding {}, which was still being received when the server stopped", p.getFileName());
                    Files.deleteIfExists(p);
                }
            }
        }
        queued.sort(null); // queue ids sort by time of arrival
        for (Path p : queued) {
            ready.add(p.getFileName().toString());
            recovered.add(p.getFileName().toString());
        }
        Instant forgetBefore = Instant.now().minus(SENT_MEMORY);
        try (DirectoryStream<Path> markers = Files.newDirectoryStream(sent)) {
            for (Path p : markers) {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(forgetBefore)) {
                    Files.deleteIfExists(p);
                }
            }
        }
        try (DirectoryStream<Path> states = Files.newDirectoryStream(retry)) {
            for (Path p : states) {
                if (!Files.exists(queue.resolve(p.getFileName()))) {
                    Files.deleteIfExists(p); // its mail was finished; only the cleanup was lost
                }
            }
        }
        if (!queued.isEmpty()) {
            LOG.info("spool: {} message(s) from before the restart queued for processing", queued.size());
        }
    }

    /**
     * A file that was sealed once but whose content no longer matches the seal: the disk damaged it,
     * or its last blocks never got there before a crash. Either way it must not be delivered, and
     * it may be mail that got a 250: keep it where an operator finds it.
     */
    private void quarantine(Path file) throws IOException {
        Path damaged = Files.createDirectories(queue.resolveSibling(DAMAGED), OwnerOnly.directory(queue));
        Files.move(file, damaged.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DirectoryDurability.fsync(damaged);
        LOG.error("spool: {} is damaged (its content no longer matches its seal); moved to {} and not delivered:"
                + " check the disk, and the message with less", file.getFileName(), damaged);
    }

    @Override
    public IncomingMessage open(Envelope envelope) throws IOException {
        return open(envelope, ProcessingState.ROOT);
    }

    @Override
    public boolean hasRoomFor(long declaredSize) {
        try {
            return Files.getFileStore(queue).getUsableSpace() >= minFreeBytes + declaredSize;
        } catch (IOException e) {
            LOG.warn("spool: cannot tell the free space of {}: {}", queue, e.toString());
            return false;
        }
    }

    /** Opens a message that starts in {@code state}; used for mail that mailets create. */
    public IncomingMessage open(Envelope envelope, ProcessingState state) throws IOException {
        return create(ids.next(), envelope, state);
    }

    /**
     * Opens a message under an id derived from what caused it ({@link QueueIds#derived}), unless
     * a message of that id is in the spool or was processed already: then empty. This is how a
     * bounce or forward made again after a crash is not sent twice.
     */
    public Optional<IncomingMessage> openOnce(String id, Envelope envelope, ProcessingState state) throws IOException {
        if (Files.exists(queue.resolve(id)) || Files.exists(sent.resolve(id))) {
            return Optional.empty();
        }
        try {
            return Optional.of(create(id, envelope, state));
        } catch (FileAlreadyExistsException e) {
            return Optional.empty();
        }
    }

    private IncomingMessage create(String id, Envelope envelope, ProcessingState state) throws IOException {
        long free = Files.getFileStore(queue).getUsableSpace();
        if (free < minFreeBytes) {
            throw new IOException("spool " + queue.getParent() + " has only " + free / 1024 + " KiB free");
        }
        Path file = queue.resolve(id);
        FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                OwnerOnly.file(queue));
        Writer writer = new Writer(id, file, channel);
        try {
            writer.write(ByteBuffer.wrap(SpoolFormat.header(id, envelope, state)));
        } catch (IOException e) {
            writer.abort();
            throw e;
        }
        return writer;
    }

    /** Waits for the next message to process; returns its id, or null after the timeout. */
    public String take(long timeout, TimeUnit unit) throws InterruptedException {
        return ready.poll(timeout, unit);
    }

    /** Reads a queued message's envelope. */
    public SpoolEntry read(String id) throws IOException {
        return SpoolFormat.read(queue.resolve(id));
    }

    /** Removes a message whose processing has ended. */
    public void remove(String id) throws IOException {
        if (QueueIds.isDerived(id)) {
            // Remember it was sent, durably, before it leaves the queue: its cause may run again.
            Files.write(sent.resolve(id), new byte[0]);
            DirectoryDurability.fsync(sent);
        }
        Files.deleteIfExists(queue.resolve(id));
        Files.deleteIfExists(retry.resolve(id));
        recovered.remove(id);
    }

    /** Whether this message was queued when the spool opened, i.e. it may have been processed in part before. */
    public boolean recovered(String id) {
        return recovered.contains(id);
    }

    /** The retry record of a deferred message, if it has one. */
    public Optional<RetryState> retryState(String id) throws IOException {
        Path file = retry.resolve(id);
        return Files.exists(file) ? Optional.of(RetryState.read(file)) : Optional.empty();
    }

    /** Records, durably, that a message is deferred and what is left to do. */
    public void defer(String id, RetryState state) throws IOException {
        Path tmp = retry.resolve("." + id + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE), OwnerOnly.file(retry))) {
            ByteBuffer bytes = ByteBuffer.wrap(state.format().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(tmp, retry.resolve(id), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DirectoryDurability.fsync(retry);
    }

    /**
     * Moves the mails dropped into {@code maildrop/} (by {@link #drop}) into the queue. The server
     * calls this periodically; a mail picked up is processed as a possible redelivery.
     *
     * @return how many were picked up
     */
    public int pickUpMaildrop() {
        List<Path> dropped = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(maildrop, p -> !p.getFileName().toString().startsWith("."))) {
            files.forEach(dropped::add);
        } catch (IOException e) {
            LOG.warn("spool: cannot list {}: {}", maildrop, e.toString());
            return 0;
        }
        int picked = 0;
        for (Path file : dropped) {
            try {
                if (!SpoolFormat.sealed(file)) {
                    LOG.warn("spool: {} in {} is incomplete or damaged (its seal does not match); leaving it there",
                            file.getFileName(), MAILDROP);
                    continue;
                }
                String id = SpoolFormat.read(file).id();
                Path target = queue.resolve(id);
                if (id == null || Files.exists(target)) {
                    LOG.warn("spool: {} is already queued or has no id; leaving it in {}", file.getFileName(), maildrop);
                    continue;
                }
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
                DirectoryDurability.fsync(queue);
                recovered.add(id);
                ready.add(id);
                picked++;
                LOG.info("spool: {} picked up from {} for processing", id, MAILDROP);
            } catch (IOException e) {
                LOG.warn("spool: cannot pick up {}: {}", file, e.getMessage());
            }
        }
        return picked;
    }

    /**
     * Puts a kept mail (a file in the spool format, as {@code ToRepository} writes them) into the
     * maildrop of the spool in {@code spoolDirectory}, for the server to process again. The file is
     * checked first and moved, so it cannot be requeued twice.
     *
     * @return the queue id of the mail
     * @throws IOException if the file is not a kept mail or cannot be moved
     */
    public static String drop(Path spoolDirectory, Path file) throws IOException {
        SpoolEntry entry = SpoolFormat.read(file);
        if (!SpoolFormat.sealed(file)) {
            throw new IOException(file + ": the kept mail is damaged (its seal does not match its content)");
        }
        if (entry.id() == null) {
            throw new IOException(file + ": the envelope records have no id");
        }
        Path drop = Files.createDirectories(spoolDirectory.resolve(MAILDROP), OwnerOnly.directory(spoolDirectory));
        Path tmp = drop.resolve("." + entry.id() + ".tmp");
        try (FileChannel c = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE), OwnerOnly.file(drop))) {
            Files.copy(file, Channels.newOutputStream(c));
            c.force(true);
        }
        Files.move(tmp, drop.resolve(entry.id()), StandardCopyOption.ATOMIC_MOVE);
        DirectoryDurability.fsync(drop);
        Files.delete(file);
        return entry.id();
    }

    /** Puts a message back in line for processing, e.g. when its retry time has come. */
    public void requeue(String id) {
        ready.add(id);
    }

    /** How many messages wait to be taken. */
    public int waiting() {
        return ready.size();
    }

    /**
     * What the spool holds: how many messages are queued (waiting, in processing or deferred) and
     * when the oldest arrived, from the names in {@code queue/}. Lists the folder: for metrics and
     * health, not for the hot path.
     *
     * @param messages   the number of queued messages
     * @param oldest     when the oldest arrived, if there is one
     */
    public record Depth(int messages, Optional<Instant> oldest) {
    }

    /** Counts the queued messages; see {@link Depth}. */
    public Depth depth() {
        int count = 0;
        String oldest = null;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(queue)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                count++;
                if (oldest == null || name.compareTo(oldest) < 0) {
                    oldest = name;
                }
            }
        } catch (IOException e) {
            LOG.warn("spool: cannot list {}: {}", queue, e.toString());
        }
        return new Depth(count, oldest == null ? Optional.empty() : QueueIds.timeOf(oldest));
    }

    @Override
    public void close() {
        syncExecutor.shutdown();
        try {
            if (!syncExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("spool: fsyncs still running after 10 s at shutdown; their clients got no 250");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        directorySync.close();
        try {
            lock.close();
        } catch (IOException e) {
            LOG.warn("spool: cannot release the lock of {}: {}", queue.getParent(), e.toString());
        }
    }

    private final class Writer implements IncomingMessage {
        private final String id;
        private final Path file;
        private final FileChannel channel;
        private final CRC32C crc = new CRC32C();

        Writer(String id, Path file, FileChannel channel) {
            this.id = id;
            this.file = file;
            this.channel = channel;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public void write(ByteBuffer bytes) throws IOException {
            crc.update(bytes.duplicate());
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }

        @Override
        public CompletionStage<Void> commit() {
            // The file's fsync makes its content durable, the directory's its name; the seal makes
            // the order between them irrelevant, so both run at once and the 250 waits for both.
            CompletableFuture<Void> named = directorySync.sync();
            return CompletableFuture.runAsync(() -> {
                try {
                    ByteBuffer seal = ByteBuffer.wrap(SpoolFormat.seal(crc.getValue()));
                    while (seal.hasRemaining()) {
                        channel.write(seal);
                    }
                    channel.force(true);
                    channel.close();
                } catch (IOException e) {
                    throw new UncheckedIOException("spool: cannot store " + id + ": " + e.getMessage(), e);
                }
            }, syncExecutor).thenCombine(named, (sealed, durableName) -> sealed).whenComplete((ok, failure) -> {
                if (failure == null) {
                    ready.add(id);
                } else {
                    // The client gets a 4xx and sends again: keep no copy that could be delivered twice.
                    abort();
                }
            });
        }

        @Override
        public void abort() {
            try {
                channel.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("spool: cannot remove the aborted message {}: {}", file, e.toString());
            }
        }
    }
}
