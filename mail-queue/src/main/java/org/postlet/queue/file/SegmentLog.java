package org.postlet.queue.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import org.postlet.queue.durability.Fsync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment files of the log, {@code log/<16-digit sequence>.seg}: appends go to the head
 * segment, which rolls over to a new one past a size; old segments are only read (recovery, message
 * content) and deleted when nothing in them is live. Appending and forcing happen on one thread
 * (the group commit's); the set of segments may be read from any.
 */
final class SegmentLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentLog.class);

    /** Where a frame was written. */
    record Placement(long segment, long position) {
    }

    /** Sees each frame of a segment whose CRC checks out. */
    interface Visitor {
        void frame(long segment, long position, byte type, ByteBuffer payload);
    }

    /** Sees a stretch of a segment that holds no valid frame. */
    interface Damage {
        void damaged(long segment, long position, ByteBuffer bytes);
    }

    private final Path dir;
    private final long segmentSize;
    private final ConcurrentSkipListSet<Long> segments = new ConcurrentSkipListSet<>();
    private final AtomicLong forces = new AtomicLong();
    private FileChannel head;
    private volatile long headSequence;
    private long headSize;
    /** Whether the head has bytes written since its last force. */
    private boolean unforced;

    SegmentLog(Path dir, long segmentSize) throws IOException {
        this.dir = Files.createDirectories(dir, OwnerOnly.directory(dir));
        this.segmentSize = segmentSize;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.seg")) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                try {
                    segments.add(Long.parseLong(name.substring(0, name.length() - 4)));
                } catch (NumberFormatException e) {
                    LOG.warn("queue: {} is not a log segment of this queue; leaving it alone", p);
                }
            }
        }
    }

    /** The segments there are, oldest first. */
    List<Long> segments() {
        return new ArrayList<>(segments);
    }

    Path path(long segment) {
        return dir.resolve(String.format("%016d.seg", segment));
    }

    long head() {
        return headSequence;
    }

    /** How many times the log was forced to disk: for measurements. */
    long forces() {
        return forces.get();
    }

    /**
     * Reads every frame of a segment, in order. A stretch that is not a valid frame is handed to
     * {@code damage} when a valid frame follows it, or when {@code last} is false; at the end of the
     * last segment it is a torn tail (a crash during an append whose client got no answer) and is
     * cut off, except for whole frames (magic and length right, CRC wrong) at its start, which are
     * damage: such a record may have been acknowledged, so an operator gets to see it.
     */
    void scan(long segment, boolean last, Visitor visitor, Damage damage) throws IOException {
        Path file = path(segment);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                throw new IOException(file + " is larger than a segment can be (" + size + " bytes)");
            }
            // Read, not mapped: a mapping would keep the file (and its file system) busy after close until a GC.
            ByteBuffer bytes = ByteBuffer.allocate((int) size);
            while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) > 0) {
                // positional reads until the segment is in
            }
            bytes.flip();
            size = bytes.limit(); // what could be read
            int position = 0;
            while (position < size) {
                int length = frameLength(bytes, position);
                if (length >= 0) {
                    visitor.frame(segment, position, bytes.get(position + 4),
                            bytes.slice(position + LogFormat.FRAME_HEADER, length));
                    position += LogFormat.FRAME_HEADER + length;
                    continue;
                }
                int next = position + 1;
                while (next < size && frameLength(bytes, next) < 0) {
                    next++;
                }
                int whole = wholeFrameLength(bytes, position);
                if (next >= size && last && whole >= 0) {
                    // A whole record whose CRC fails, before the torn tail: damaged, not torn. Keep it.
                    damage.damaged(segment, position, bytes.slice(position, whole));
                    position += whole;
                    continue;
                }
                if (next >= size && last) {
                    LOG.warn("queue: cutting {} at {}: {} bytes of a record whose append did not complete (its sender got no reply)",
                            file.getFileName(), position, size - position);
                    channel.truncate(position);
                    channel.force(true);
                    break;
                }
                damage.damaged(segment, position, bytes.slice(position, next - position));
                position = next;
            }
        }
    }

    /** The length of what looks like a whole frame at {@code position}, its CRC not checked; or -1. */
    private static int wholeFrameLength(ByteBuffer bytes, int position) {
        if (bytes.limit() - position < LogFormat.FRAME_HEADER || bytes.getInt(position) != LogFormat.MAGIC) {
            return -1;
        }
        int length = bytes.getInt(position + 5);
        return length < 0 || length > bytes.limit() - position - LogFormat.FRAME_HEADER ? -1 : LogFormat.FRAME_HEADER + length;
    }

    /** The payload length of a valid frame at {@code position}, or -1. */
    private static int frameLength(ByteBuffer bytes, int position) {
        int whole = wholeFrameLength(bytes, position);
        int length = whole - LogFormat.FRAME_HEADER;
        if (whole < 0 || length > LogFormat.MAX_PAYLOAD) {
            return -1;
        }
        byte type = bytes.get(position + 4);
        int crc = LogFormat.crc(type, length, bytes.slice(position + LogFormat.FRAME_HEADER, length));
        return crc == bytes.getInt(position + 9) ? length : -1;
    }

    /** Starts a new head segment after the existing ones; called once, after recovery. */
    void start() throws IOException {
        roll();
    }

    /**
     * Writes frames to the head segment, rolling over to a new one when it is full, and forces them
     * to disk: one fdatasync per call (plus one per roll-over). A null frame is skipped. If it
     * fails, what this call wrote in the head is cut off again.
     */
    Placement[] commit(List<LogFormat.Frame> frames) throws IOException {
        Placement[] placements = new Placement[frames.size()];
        long startSegment = headSequence;
        long startSize = headSize;
        try {
            List<ByteBuffer> pending = new ArrayList<>();
            for (int i = 0; i < frames.size(); i++) {
                LogFormat.Frame frame = frames.get(i);
                if (frame == null) {
                    continue;
                }
                if (headSize > 0 && headSize + frame.length() > segmentSize) {
                    write(pending);
                    force();
                    roll();
                }
                placements[i] = new Placement(headSequence, headSize);
                for (ByteBuffer part : frame.parts()) {
                    pending.add(part.duplicate());
                }
                headSize += frame.length();
            }
            write(pending);
            if (unforced) {
                force();
            }
            return placements;
        } catch (IOException | RuntimeException e) {
            discard(startSegment, startSize);
            throw e;
        }
    }

    private void write(List<ByteBuffer> pending) throws IOException {
        ByteBuffer[] buffers = pending.toArray(ByteBuffer[]::new);
        long left = 0;
        for (ByteBuffer b : buffers) {
            left += b.remaining();
        }
        while (left > 0) {
            left -= head.write(buffers);
            unforced = true;
        }
        pending.clear();
    }

    /** Makes what was appended durable: one fdatasync. */
    private void force() throws IOException {
        forces.incrementAndGet();
        head.force(false);
        unforced = false;
    }

    /**
     * A batch that failed to become durable: whatever of it is in the head is cut off and the log
     * goes on in a new segment, so no record of it can be found at recovery, even if its pages
     * reach the disk later. Records it left in a segment already forced were durable and stay.
     */
    void discard(long segment, long size) {
        try {
            if (head != null && headSequence == segment) {
                head.truncate(size);
                head.force(false);
            }
        } catch (IOException e) {
            LOG.error("queue: cannot cut the failed records off {}: {}; they may be delivered after a restart",
                    path(headSequence), e.toString());
        }
        try {
            roll();
        } catch (IOException e) {
            LOG.error("queue: cannot start a new log segment after a failed write: {}", e.toString());
        }
    }

    /** Closes the head (already forced) and starts the next segment. */
    private void roll() throws IOException {
        long next = segments.isEmpty() ? 1 : segments.last() + 1;
        Path file = path(next);
        FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                OwnerOnly.file(dir));
        try {
            Fsync.directory(dir); // the new name must survive before records in it are acknowledged
        } catch (IOException e) {
            channel.close();
            Files.deleteIfExists(file);
            throw e;
        }
        FileChannel previous = head;
        head = channel;
        headSequence = next;
        headSize = 0;
        unforced = false;
        segments.add(next);
        if (previous != null) {
            previous.close();
        }
    }

    /** Deletes an old segment; never the head. */
    void delete(long segment) throws IOException {
        if (segment == headSequence) {
            throw new IllegalArgumentException("the head segment " + segment + " cannot be deleted");
        }
        segments.remove(segment);
        Files.deleteIfExists(path(segment));
    }

    /** The segments before {@code segment}: what must go first, as later records may undo records in them. */
    TreeSet<Long> before(long segment) {
        return new TreeSet<>(segments.headSet(segment));
    }

    @Override
    public void close() throws IOException {
        if (head != null) {
            head.close();
        }
    }
}
