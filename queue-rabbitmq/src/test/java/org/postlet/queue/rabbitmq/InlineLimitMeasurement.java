package org.postlet.queue.rabbitmq;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.postlet.queue.Disposition;
import org.postlet.queue.Lease;
import org.postlet.queue.MailQueue;
import org.postlet.queue.QueueIds;
import org.postlet.testsupport.LocalRabbitMq;

/**
 * A measurement to run by hand, not a test: for bodies of several sizes, mails per second through
 * the broker when the body travels inline and when it goes to the shared folder (8 senders, each
 * waiting for its confirm as an SMTP session waits before its 250; then taken and acknowledged).
 * What docs/scaling.md's inline limit rests on.
 *
 * <pre>java -cp ... org.postlet.queue.rabbitmq.InlineLimitMeasurement [shared folder]</pre>
 */
public final class InlineLimitMeasurement {

    private InlineLimitMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        Path blobs = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("inline-limit");
        int[] sizes = {4 << 10, 64 << 10, 128 << 10, 256 << 10, 1 << 20, 4 << 20};
        System.out.println("| body | inline: mails/s | inline: MB/s | shared folder: mails/s | shared folder: MB/s |");
        System.out.println("|---:|---:|---:|---:|---:|");
        for (int size : sizes) {
            double inline = run(blobs, size, Integer.MAX_VALUE);
            double shared = run(blobs, size, 1);
            System.out.printf("| %d KiB | %.0f | %.1f | %.0f | %.1f |%n", size >> 10, inline, inline * size / 1e6, shared,
                    shared * size / 1e6);
        }
    }

    /** Mails per second, enqueue to acknowledgement, with bodies over {@code inlineLimit} in the shared folder. */
    private static double run(Path blobs, int size, int inlineLimit) throws Exception {
        int mails = Math.max(40, Math.min(2000, (int) (200L * 1024 * 1024 / size / 4)));
        String name = LocalRabbitMq.queueName();
        byte[] body = new byte[size];
        java.util.Arrays.fill(body, (byte) 'x');
        RabbitMqSettings settings = new RabbitMqSettings(RabbitMqSettings.parseUri(LocalRabbitMq.URI), name, blobs,
                inlineLimit, RabbitMqSettings.DEFAULT_PREFETCH);
        try (RabbitMailQueue q = RabbitMailQueue.open(settings, new QueueIds(Clock.systemUTC()), Clock.systemUTC())) {
            ExecutorService senders = Executors.newFixedThreadPool(8);
            long start = System.nanoTime();
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < mails; i++) {
                sent.add(senders.submit(() -> {
                    MailQueue.Enqueuing m = q.enqueue(RabbitMailQueueIT.ENVELOPE);
                    m.write(ByteBuffer.wrap(body));
                    m.commit().toCompletableFuture().get(60, TimeUnit.SECONDS);
                    return null;
                }));
            }
            int done = 0;
            while (done < mails) {
                Lease lease = q.take(Duration.ofSeconds(30)).orElseThrow(() -> new IllegalStateException("mail missing"));
                try (var in = lease.content().open()) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                q.acknowledge(lease, Disposition.done());
                done++;
            }
            for (Future<?> f : sent) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            senders.shutdown();
            q.deleteQueues();
            return mails / seconds;
        }
    }
}
