package org.postlet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.postlet.mailet.MailAddress;
import org.postlet.maildir.Delivery;
import org.postlet.maildir.DeliveryResult;
import org.postlet.maildir.MaildirStore;

/**
 * One 4 KiB Maildir delivery: write to tmp/, fsync, rename into new/ ({@link #deliver}), and with
 * the fsync of new/ the server otherwise shares among mails ({@link #deliverDurably}). Mostly
 * fsyncs, so it tells what the disk costs the delivery path; compare with the spool's numbers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MaildirDeliveryBenchmark {

    private Path root;
    private MaildirStore store;
    private byte[] message;
    private final MailAddress alice = new MailAddress("alice", "example.test");

    @Setup(Level.Trial)
    public void prepare() throws IOException {
        root = Files.createTempDirectory("postlet-jmh");
        store = new MaildirStore(root, "%d/%n", "bench.example.test");
        message = ("Subject: bench\r\n\r\n" + "x".repeat(4000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @TearDown(Level.Trial)
    public void cleanUp() throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** As LocalDelivery does it: the fsync of new/ is left pending, for the server to share. */
    @Benchmark
    public DeliveryResult deliver() throws IOException {
        return store.deliver(new Delivery(alice, Optional.empty(), Optional.empty(), out -> out.write(message)));
    }

    /** A delivery that is durable on return: one more fsync, of new/. */
    @Benchmark
    public DeliveryResult deliverDurably() throws IOException {
        return store.deliverDurably(new Delivery(alice, Optional.empty(), Optional.empty(), out -> out.write(message)));
    }
}
