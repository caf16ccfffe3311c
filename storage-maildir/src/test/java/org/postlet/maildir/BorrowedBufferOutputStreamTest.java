package org.postlet.maildir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BorrowedBufferOutputStreamTest {

    /** Records each write it receives, so the test sees how the buffer batches them. */
    private static final class RecordingSink extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Integer> writes = new ArrayList<>();

        @Override
        public void write(int b) {
            bytes.write(b);
            writes.add(1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            writes.add(len);
        }
    }

    @Test
    void writesOfEverySizeArriveInOrderAndComplete() throws IOException {
        Random random = new Random(42);
        byte[] all = new byte[200_000];
        random.nextBytes(all);
        RecordingSink sink = new RecordingSink();
        OutputStream out = new BorrowedBufferOutputStream(sink, new byte[64]);
        int at = 0;
        while (at < all.length) {
            int len = Math.min(all.length - at, random.nextInt(150)); // below, at and above the buffer's size
            if (len == 1) {
                out.write(all[at]);
            } else {
                out.write(all, at, len);
            }
            at += len;
        }
        out.flush();
        assertThat(sink.bytes.toByteArray()).isEqualTo(all);
    }

    @Test
    void smallWritesAreBatchedAndNothingReachesTheSinkBeforeTheBufferFillsOrAFlush() throws IOException {
        RecordingSink sink = new RecordingSink();
        OutputStream out = new BorrowedBufferOutputStream(sink, new byte[10]);
        out.write(new byte[]{1, 2, 3}, 0, 3);
        out.write(4);
        assertThat(sink.writes).isEmpty();
        out.write(new byte[]{5, 6, 7, 8, 9, 10, 11}, 0, 7); // does not fit: the 4 buffered go first
        assertThat(sink.writes).containsExactly(4);
        out.flush();
        assertThat(sink.writes).containsExactly(4, 7);
        assertThat(sink.bytes.toByteArray()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    }

    @Test
    void aWriteAsLongAsTheBufferGoesStraightThroughAfterWhatIsBuffered() throws IOException {
        RecordingSink sink = new RecordingSink();
        OutputStream out = new BorrowedBufferOutputStream(sink, new byte[4]);
        out.write(1);
        out.write(new byte[]{2, 3, 4, 5}, 0, 4);
        assertThat(sink.writes).containsExactly(1, 4);
        assertThat(sink.bytes.toByteArray()).containsExactly(1, 2, 3, 4, 5);
    }
}
