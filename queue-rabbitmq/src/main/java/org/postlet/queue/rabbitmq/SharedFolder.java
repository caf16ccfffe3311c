package org.postlet.queue.rabbitmq;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.postlet.queue.MessageContent;
import org.postlet.queue.durability.Fsync;
import org.postlet.queue.file.Contents;

/**
 * The folder every node reads and writes ({@code queue.blobs}): {@code messages/<id>} holds a body
 * too big to travel inside its AMQP message, {@code sent/<id>} marks a generated mail (a bounce, a
 * forward) as queued once, so running its cause again on any node does not send it twice.
 */
final class SharedFolder {

    /** How long a mark of a generated mail is kept: longer than any mail stays queued. */
    static final Duration MARKS_KEPT = Duration.ofDays(30);

    private final Path messages;
    private final Path sent;

    SharedFolder(Path root) throws IOException {
        this.messages = Files.createDirectories(root.resolve("messages"));
        this.sent = Files.createDirectories(root.resolve("sent"));
    }

    /** A body being written; it exists for other nodes only once {@link Body#commit}ted. */
    Body create(String id) throws IOException {
        Path tmp = messages.resolve("." + id + ".tmp");
        return new Body(messages.resolve(id), tmp, FileChannel.open(tmp, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
    }

    /** The body of {@code id}, read from the shared folder each time it is opened. */
    MessageContent content(String id, long size) {
        return Contents.file(messages.resolve(id), 0, size);
    }

    /**
     * Fails unless the body of {@code id} is there: a node that cannot see it does not share the
     * folder with the node that received the mail.
     */
    void requireBody(String id) throws IOException {
        if (!Files.exists(messages.resolve(id))) {
            throw new IOException("the body of " + id + " is missing from the shared folder " + messages
                    + ": is queue.blobs the same folder on every node?");
        }
    }

    void delete(String id) throws IOException {
        Files.deleteIfExists(messages.resolve(id));
    }

    boolean sent(String id) {
        return Files.exists(sent.resolve(id));
    }

    void markSent(String id) throws IOException {
        try {
            Files.createFile(sent.resolve(id));
        } catch (FileAlreadyExistsException known) {
            // queued again by an operator: it stays marked
        }
    }

    /**
     * Drops marks older than {@link #MARKS_KEPT}, and bodies a node began to receive more than a
     * day ago and never finished (it died meanwhile); returns how many files went.
     */
    int prune(Instant now) throws IOException {
        int pruned = 0;
        FileTime marksLimit = FileTime.from(now.minus(MARKS_KEPT));
        try (DirectoryStream<Path> marks = Files.newDirectoryStream(sent)) {
            for (Path mark : marks) {
                if (Files.getLastModifiedTime(mark).compareTo(marksLimit) < 0 && Files.deleteIfExists(mark)) {
                    pruned++;
                }
            }
        }
        FileTime unfinishedLimit = FileTime.from(now.minus(Duration.ofDays(1)));
        try (DirectoryStream<Path> unfinished = Files.newDirectoryStream(messages, ".*.tmp")) {
            for (Path body : unfinished) {
                if (Files.getLastModifiedTime(body).compareTo(unfinishedLimit) < 0 && Files.deleteIfExists(body)) {
                    pruned++;
                }
            }
        }
        return pruned;
    }

    /** A body being written into the shared folder. */
    static final class Body implements AutoCloseable {
        private final Path file;
        private final Path tmp;
        private final FileChannel channel;

        private Body(Path file, Path tmp, FileChannel channel) {
            this.file = file;
            this.tmp = tmp;
            this.channel = channel;
        }

        void write(ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }

        /** Makes the body durable under its name, so that any node that gets its message can read it. */
        void commit() throws IOException {
            channel.force(true);
            channel.close();
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Fsync.directory(file.getParent());
        }

        /** Drops a body that will not be committed. */
        void abort() throws IOException {
            channel.close();
            Files.deleteIfExists(tmp);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
