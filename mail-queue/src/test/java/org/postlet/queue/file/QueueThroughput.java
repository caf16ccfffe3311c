package org.postlet.queue.file;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.postlet.queue.Disposition;
import org.postlet.queue.Lease;
import org.postlet.queue.MailQueue;
import org.postlet.queue.QueueIds;

/**
 * A measurement to run by hand, not a test: N mails of 4 KiB enqueued from 20 threads (each waits
 * for its commit, as an SMTP session waits before its 250), taken and acknowledged by 4 workers that
 * read every message and go on without waiting for the acknowledgement to be durable (all are, at the end). Prints mails per second, fsyncs (log forces) per mail and CPU per mail.
 *
 * <pre>java -cp ... org.postlet.queue.file.QueueThroughput [N] [directory]</pre>
 */
public final class QueueThroughput {

    private QueueThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("queue-throughput");
        int senders = 20;
        boolean blocking = Boolean.getBoolean("blocking"); // -Dblocking=true: workers wait for each DONE to be durable
        byte[] body = new byte[4096];
        java.util.Arrays.fill(body, (byte) 'x');
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (FileMailQueue queue = FileMailQueue.open(dir, new QueueIds(Clock.systemUTC()), Clock.systemUTC())) {
            long forcesBefore = queue.forces();
            long cpuBefore = os.getProcessCpuTime();
            long start = System.nanoTime();
            ExecutorService sending = Executors.newFixedThreadPool(senders);
            List<Future<?>> sent = new ArrayList<>();
            for (int t = 0; t < senders; t++) {
                int count = n / senders;
                sent.add(sending.submit(() -> {
                    for (int i = 0; i < count; i++) {
                        MailQueue.Enqueuing m = queue.enqueue(FileMailQueueTest.ENVELOPE);
                        m.write(ByteBuffer.wrap(body));
                        m.commit().toCompletableFuture().get(30, TimeUnit.SECONDS);
                    }
                    return null;
                }));
            }
            AtomicInteger done = new AtomicInteger();
            java.util.Queue<java.util.concurrent.CompletableFuture<Void>> acks = new java.util.concurrent.ConcurrentLinkedQueue<>();
            ExecutorService working = Executors.newFixedThreadPool(4);
            List<Future<?>> workers = new ArrayList<>();
            int total = n / senders * senders;
            for (int w = 0; w < 4; w++) {
                workers.add(working.submit(() -> {
                    byte[] sink = new byte[8192];
                    while (done.get() < total) {
                        Optional<Lease> lease = queue.take(Duration.ofMillis(100));
                        if (lease.isPresent()) {
                            try (var in = lease.get().content().open()) {
                                while (in.read(sink) >= 0) {
                                    // read it all, as delivery does
                                }
                            }
                            // A worker goes on to the next mail; the DONE becomes durable with a later batch.
                            var ack = queue.acknowledge(lease.get(), Disposition.done()).toCompletableFuture();
                            if (blocking) {
                                ack.get(30, TimeUnit.SECONDS);
                            }
                            acks.add(ack);
                            done.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
            for (Future<?> f : workers) {
                f.get();
            }
            for (var ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpu = os.getProcessCpuTime() - cpuBefore;
            long forces = queue.forces() - forcesBefore;
            sending.shutdown();
            working.shutdown();
            System.out.printf("%d mails of 4 KiB, 20 senders, 4 %s workers: %.1f s, %.0f mails/s, %.3f fsyncs/mail, %.3f ms CPU/mail%n",
                    total, blocking ? "blocking" : "non-blocking", seconds, total / seconds, (double) forces / total, cpu / 1e6 / total);
        }
    }
}
