package org.postlet.smtp.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * How the listeners' sockets are driven: Netty's native epoll transport on Linux where its library
 * loads, otherwise the JDK's selector. Epoll saves system calls on every connection (no selected-key
 * set, no interest-set changes to re-arm reads), which shows at thousands of short sessions a second.
 */
enum Transport {
    EPOLL, NIO;

    /** The best transport this machine can run. */
    static Transport available() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    IoHandlerFactory handlers() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** Why NIO was chosen, for the start-up log; empty for epoll. */
    static String unavailability() {
        Throwable cause = Epoll.unavailabilityCause();
        return cause == null ? "" : cause.toString();
    }
}
