package org.postlet.queue.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The claim of one server on a queue directory: an OS lock on {@code postlet.lock} in it, held for as
 * long as the queue is open, with the holder's process id written inside for the message another
 * server gets. A second server on the same queue would process mail that is the first one's and
 * discard files the first one is still receiving. The OS releases the lock when the process dies,
 * also by {@code kill -9}, so a crash never leaves a stale claim.
 */
final class QueueLock implements AutoCloseable {

    /** The lock file's name in the queue folder. */
    static final String NAME = "postlet.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private QueueLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Claims {@code queue} for this process.
     *
     * @throws QueueInUseException if another server (in this or another process) holds it
     */
    static QueueLock acquire(Path queue) throws IOException {
        Path file = queue.resolve(NAME);
        FileChannel channel = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), OwnerOnly.file(queue));
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // another server in this JVM holds it
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new QueueInUseException("spool " + queue + " is in use by another Postlet (pid " + holder
                    + "); stop it or give this one its own spool"); // operators know the directory as the spool
        }
        try {
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
        } catch (IOException e) {
            lock.release();
            channel.close();
            throw e;
        }
        return new QueueLock(channel, lock);
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer bytes = ByteBuffer.allocate(32);
            channel.read(bytes, 0);
            String pid = new String(bytes.array(), 0, bytes.position(), StandardCharsets.US_ASCII).strip();
            return pid.isEmpty() ? "unknown" : pid;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Releases the claim; the file stays (deleting it could race with a server just locking it). */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
