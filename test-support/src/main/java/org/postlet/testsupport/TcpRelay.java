package org.postlet.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on an ephemeral loopback port to a real server, which a test can {@link #cut}: every
 * relayed connection is dropped and new ones are refused until {@link #restore}. A network outage
 * between a node and a shared server (a broker) without stopping the server, which other tests use.
 * It also records what clients sent, for a test that checks the bytes on the wire.
 */
public final class TcpRelay implements AutoCloseable {

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean cut;
    private final ByteArrayOutputStream fromClients = new ByteArrayOutputStream();

    public TcpRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accepting = new Thread(this::accept, "tcp-relay-" + server.getLocalPort());
        accepting.setDaemon(true);
        accepting.start();
    }

    /** The port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                open.add(client);
                open.add(upstream);
                pump(client, upstream, fromClients);
                pump(upstream, client, null);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    /** Every byte clients sent through the relay so far, over all connections, in order of arrival. */
    public byte[] sentByClients() {
        synchronized (fromClients) {
            return fromClients.toByteArray();
        }
    }

    private void pump(Socket from, Socket to, ByteArrayOutputStream record) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (record != null) {
                        synchronized (record) {
                            record.write(buffer, 0, n);
                        }
                    }
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // one side went away: the other follows
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Drops every relayed connection and refuses new ones. */
    public void cut() {
        cut = true;
        open.forEach(TcpRelay::closeQuietly);
        open.clear();
    }

    /** Relays new connections again. */
    public void restore() {
        cut = false;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already gone: what a cut wants
        }
    }

    @Override
    public void close() throws IOException {
        cut();
        server.close();
    }
}
