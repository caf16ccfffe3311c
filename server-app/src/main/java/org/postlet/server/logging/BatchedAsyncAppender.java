package org.postlet.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Hands log events to one background thread, which writes them to the appenders it holds a batch
 * at a time and then flushes each of them once. Under load the thread waits {@code lingerMillis}
 * after a batch, so the lines of many messages share one wake-up and one write; an idle server's
 * next line is written at once. Logback's {@code AsyncAppender} wakes its thread and flushes for
 * every line: three lines per message at a thousand messages a second cost three thousand
 * wake-ups and writes a second.
 *
 * <p>Nothing is dropped: when the queue is full the logging thread waits. Stopping (the shutdown
 * hook) writes what is queued. Give the attached appenders {@code immediateFlush=false}; the batch
 * flushes them.
 */
public final class BatchedAsyncAppender extends UnsynchronizedAppenderBase<ILoggingEvent>
        implements AppenderAttachable<ILoggingEvent> {

    private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();
    private int queueSize = 8192;
    private int lingerMillis = 2;
    private BlockingQueue<ILoggingEvent> queue;
    private Thread writer;

    /** How many events may wait before loggers wait too. Default 8192. */
    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    /** How long the writer lets lines collect after a batch. Default 2 ms; 0 writes each as it comes. */
    public void setLingerMillis(int lingerMillis) {
        this.lingerMillis = lingerMillis;
    }

    @Override
    public void start() {
        if (isStarted()) {
            return;
        }
        if (queueSize < 1 || lingerMillis < 0) {
            addError("queueSize must be at least 1 and lingerMillis at least 0 in appender " + name);
            return;
        }
        if (!appenders.iteratorForAppenders().hasNext()) {
            addError("no appender-ref in appender " + name + ": its lines would go nowhere");
            return;
        }
        queue = new ArrayBlockingQueue<>(queueSize);
        writer = new Thread(this::writeLoop, "postlet-log-writer");
        writer.setDaemon(true);
        super.start();
        writer.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        // What the event refers to (arguments, MDC, thread) is captured now, on the caller's thread.
        event.prepareForDeferredProcessing();
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(event);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        List<ILoggingEvent> batch = new ArrayList<>();
        long linger = TimeUnit.MILLISECONDS.toNanos(lingerMillis);
        while (isStarted()) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch);
            write(batch);
            if (linger > 0) {
                // Not waiting on the queue meanwhile: loggers put their lines without waking us.
                LockSupport.parkNanos(linger);
            }
        }
        // Stopped: what is still queued is written before the thread ends.
        Thread.interrupted();
        queue.drainTo(batch);
        write(batch);
    }

    private void write(List<ILoggingEvent> batch) {
        if (batch.isEmpty()) {
            return;
        }
        for (ILoggingEvent event : batch) {
            appenders.appendLoopOnAppenders(event);
        }
        batch.clear();
        for (Iterator<Appender<ILoggingEvent>> it = appenders.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> stream && stream.getOutputStream() != null) {
                flush(stream.getName(), stream.getOutputStream());
            }
        }
    }

    private void flush(String appender, OutputStream out) {
        try {
            out.flush();
        } catch (IOException e) {
            addError("cannot flush the lines of appender " + appender, e);
        }
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        writer.interrupt();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            addWarn("the log writer of appender " + name + " did not finish within 5 s; " + queue.size()
                    + " line(s) may be lost");
        }
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public void addAppender(Appender<ILoggingEvent> appender) {
        appenders.addAppender(appender);
    }

    @Override
    public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
        return appenders.iteratorForAppenders();
    }

    @Override
    public Appender<ILoggingEvent> getAppender(String name) {
        return appenders.getAppender(name);
    }

    @Override
    public boolean isAttached(Appender<ILoggingEvent> appender) {
        return appenders.isAttached(appender);
    }

    @Override
    public void detachAndStopAllAppenders() {
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public boolean detachAppender(Appender<ILoggingEvent> appender) {
        return appenders.detachAppender(appender);
    }

    @Override
    public boolean detachAppender(String name) {
        return appenders.detachAppender(name);
    }
}
