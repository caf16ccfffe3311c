package org.postlet.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchedAsyncAppenderTest {

    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private BatchedAsyncAppender async;

    private Logger logger(int lingerMillis) {
        context.setMDCAdapter(new LogbackMDCAdapter());
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%thread %msg%n");
        encoder.start();
        OutputStreamAppender<ILoggingEvent> sink = new OutputStreamAppender<>();
        sink.setContext(context);
        sink.setName("sink");
        sink.setEncoder(encoder);
        sink.setImmediateFlush(false);
        // Buffered like a file: nothing reaches `written` unless the batch flushes it.
        sink.setOutputStream(new BufferedOutputStream(written, 1 << 20));
        sink.start();
        async = new BatchedAsyncAppender();
        async.setContext(context);
        async.setName("async");
        async.setQueueSize(64);
        async.setLingerMillis(lingerMillis);
        async.addAppender(sink);
        async.start();
        Logger logger = context.getLogger("test");
        logger.addAppender(async);
        return logger;
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    private List<String> lines() {
        synchronized (written) {
            String text = written.toString(StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
        }
    }

    @Test
    void everyLineOfManyThreadsIsWrittenInEachThreadsOrderAndFlushedWithoutStopping() throws Exception {
        Logger logger = logger(2);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 500; i++) {
                    logger.info("line {}", i);
                }
            }, "t" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (lines().size() < 2000 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        // A queue of 64 for 2000 lines: loggers waited for room, and nothing was dropped.
        assertThat(lines()).as("written and flushed while running").hasSize(2000);
        for (int t = 0; t < 4; t++) {
            String prefix = "t" + t + " ";
            List<String> own = lines().stream().filter(l -> l.startsWith(prefix)).collect(Collectors.toList());
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                expected.add(prefix + "line " + i);
            }
            assertThat(own).isEqualTo(expected);
        }
    }

    @Test
    void stoppingWritesWhatIsStillQueued() {
        Logger logger = logger(200);
        for (int i = 0; i < 50; i++) {
            logger.info("line {}", i);
        }
        async.stop();
        assertThat(lines()).hasSize(50).last().asString().endsWith("line 49");
    }

    @Test
    void anIdleServersNextLineIsWrittenAtOnce() throws Exception {
        Logger logger = logger(2);
        logger.info("first");
        Thread.sleep(100);
        long start = System.nanoTime();
        logger.info("second");
        while (lines().size() < 2 && System.nanoTime() - start < 1_000_000_000L) {
            Thread.onSpinWait();
        }
        assertThat(lines()).hasSize(2);
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms until written").isLessThan(200);
    }

    @Test
    void aLoggerThatIsInterruptedKeepsItsInterruptAndItsLine() throws Exception {
        Logger logger = logger(2);
        Thread.currentThread().interrupt();
        logger.info("while interrupted");
        assertThat(Thread.interrupted()).isTrue();
        async.stop();
        assertThat(lines()).containsExactly(Thread.currentThread().getName() + " while interrupted");
    }

    @Test
    void withoutAnAppenderRefItDoesNotStart() {
        context.setMDCAdapter(new LogbackMDCAdapter());
        BatchedAsyncAppender lonely = new BatchedAsyncAppender();
        lonely.setContext(context);
        lonely.setName("lonely");
        lonely.start();
        assertThat(lonely.isStarted()).isFalse();
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .anySatisfy(s -> assertThat(s.getMessage()).contains("no appender-ref in appender lonely"));
    }
}
