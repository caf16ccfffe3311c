package org.postlet.smtp.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fires {@link Expired} down the pipeline when nothing was read for the current timeout. Unlike
 * Netty's {@code IdleStateHandler} the timeout can be changed while the connection is open: the
 * session uses the command timeout between commands and the data timeout during DATA
 * (Postfix's {@code smtpd_timeout} covers both; RFC 5321 §4.5.3.2 asks for longer waits in DATA).
 * Changing the timeout restarts the clock. Call {@link #use(Duration)} on the event loop.
 */
public final class SessionTimeout extends ChannelInboundHandlerAdapter {

    /** The user event fired when the client was silent for too long. */
    public enum Expired { INSTANCE }

    private long timeoutNanos;
    private long lastReadNanos;
    private ChannelHandlerContext context;
    private ScheduledFuture<?> check;

    /** @param initial the timeout until the first {@link #use(Duration)} */
    public SessionTimeout(Duration initial) {
        this.timeoutNanos = initial.toNanos();
    }

    /** Switches to another timeout, counted from now. */
    public void use(Duration timeout) {
        timeoutNanos = timeout.toNanos();
        lastReadNanos = System.nanoTime();
        if (check != null) {
            check.cancel(false);
            schedule(timeoutNanos);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        lastReadNanos = System.nanoTime();
        schedule(timeoutNanos);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        lastReadNanos = System.nanoTime();
        super.channelRead(ctx, msg);
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
        check = context.executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        if (!context.channel().isOpen()) {
            return;
        }
        long idle = System.nanoTime() - lastReadNanos;
        if (idle >= timeoutNanos) {
            // Start a new period: a session that ignores the event (e.g. while it commits) is
            // reminded again later instead of never.
            lastReadNanos = System.nanoTime();
            schedule(timeoutNanos);
            context.fireUserEventTriggered(Expired.INSTANCE);
        } else {
            schedule(timeoutNanos - idle);
        }
    }
}
