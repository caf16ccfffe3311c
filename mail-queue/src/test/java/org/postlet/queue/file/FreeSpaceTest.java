package org.postlet.queue.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FreeSpaceTest {

    private static final long GIB = 1L << 30;

    /** A file system whose free space the test sets, counting how often it is asked. */
    private static final class Disk extends FileStore {
        long free;
        int reads;

        @Override
        public long getUsableSpace() {
            reads++;
            return free;
        }

        @Override public String name() { return "disk"; }
        @Override public String type() { return "test"; }
        @Override public boolean isReadOnly() { return false; }
        @Override public long getTotalSpace() { return free; }
        @Override public long getUnallocatedSpace() { return free; }
        @Override public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) { return false; }
        @Override public boolean supportsFileAttributeView(String name) { return false; }
        @Override public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) { return null; }
        @Override public Object getAttribute(String attribute) throws IOException { throw new IOException(attribute); }
    }

    private final Disk disk = new Disk();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final FreeSpace space = new FreeSpace(disk, now::get);

    @Test
    void aRecentReadingFarAboveWhatIsAskedIsReused() throws IOException {
        disk.free = 50 * GIB;
        assertThat(space.usable(100)).isEqualTo(50 * GIB);
        disk.free = 49 * GIB;
        now.addAndGet(FreeSpace.MAX_AGE_NANOS - 1);
        assertThat(space.usable(100)).isEqualTo(50 * GIB);
        assertThat(disk.reads).isEqualTo(1);
    }

    @Test
    void anOldReadingIsReadAgain() throws IOException {
        disk.free = 50 * GIB;
        space.usable(100);
        disk.free = 10;
        now.addAndGet(FreeSpace.MAX_AGE_NANOS);
        assertThat(space.usable(100)).isEqualTo(10);
        assertThat(disk.reads).isEqualTo(2);
    }

    @Test
    void nearTheLimitEveryCheckReadsTheFileSystem() throws IOException {
        disk.free = GIB + 100;
        space.usable(100);
        assertThat(space.usable(100)).isEqualTo(GIB + 100); // exactly the margin above: reused
        assertThat(disk.reads).isEqualTo(1);
        disk.free = 5;
        assertThat(space.usable(101)).isEqualTo(5); // less than the margin above: read again
        assertThat(space.usable(1)).isEqualTo(5);
        assertThat(disk.reads).isEqualTo(3);
    }
}
