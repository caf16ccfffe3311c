package org.postlet.smtp.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fires {@link Expired} down the pipeline when a deadline passes. The session sets the deadline
 * with {@link #use(Duration)} each time it starts waiting for something: a command line (the
 * command timeout) or a whole DATA or BDAT phase (the data timeout, RFC 5321 §4.5.3.2 asks for
 * longer waits there). Bytes that arrive do not move the deadline: a client trickling one byte
 * at a time must still complete its command or message in time, or it could hold a session forever.
 * Call {@link #use(Duration)} on the event loop.
 */
public final class SessionTimeout extends ChannelInboundHandlerAdapter {

    /** The user event fired when the deadline passed. */
    public enum Expired { INSTANCE }

    private long timeoutNanos;
    private long deadlineNanos;
    private ChannelHandlerContext context;
    private ScheduledFuture<?> check;
    /** When the scheduled check runs. */
    private long checkAtNanos;

    /** @param initial the time the client has for its first command, until the first {@link #use(Duration)} */
    public SessionTimeout(Duration initial) {
        this.timeoutNanos = initial.toNanos();
    }

    /** Sets the deadline to {@code timeout} from now. */
    public void use(Duration timeout) {
        timeoutNanos = timeout.toNanos();
        deadlineNanos = System.nanoTime() + timeoutNanos;
        // A later deadline needs no new task: the check that runs first looks again. This keeps
        // thousands of pipelined commands from scheduling thousands of tasks.
        if (check != null && deadlineNanos < checkAtNanos) {
            check.cancel(false);
            schedule(timeoutNanos);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        deadlineNanos = System.nanoTime() + timeoutNanos;
        schedule(timeoutNanos);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        super.channelInactive(ctx);
    }

    private void schedule(long delayNanos) {
        checkAtNanos = System.nanoTime() + delayNanos;
        check = context.executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        if (!context.channel().isOpen()) {
            return;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            // Start a new period: a session that ignores the event (e.g. while it commits) is
            // reminded again later instead of never.
            deadlineNanos = System.nanoTime() + timeoutNanos;
            schedule(timeoutNanos);
            context.fireUserEventTriggered(Expired.INSTANCE);
        } else {
            schedule(left);
        }
    }
}
