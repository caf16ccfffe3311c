package org.postlet.testsupport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real DNS server for tests: dnsmasq on loopback, at an ephemeral port, answering only the
 * records given (everything else under {@code .test} is NXDOMAIN; names under {@code dead.test}
 * are forwarded to a port nobody answers on, for temporary errors).
 */
public final class Dnsmasq implements AutoCloseable {

    private final Process process;
    private final int port;

    private Dnsmasq(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Builds the records, then {@link #start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The records to serve. */
    public static final class Builder {
        private final List<String> options = new ArrayList<>();

        /** A TXT record; a long text is split into strings of 255 characters, as DNS requires. */
        public Builder txt(String name, String text) {
            StringBuilder strings = new StringBuilder();
            for (int i = 0; i < text.length(); i += 255) {
                strings.append(i == 0 ? "" : ",").append('"').append(text, i, Math.min(text.length(), i + 255)).append('"');
            }
            options.add("txt-record=" + name + "," + strings);
            return this;
        }

        /** A and/or AAAA records. */
        public Builder host(String name, String... addresses) {
            options.add("host-record=" + name + "," + String.join(",", addresses));
            return this;
        }

        public Builder mx(String domain, String host, int preference) {
            options.add("mx-host=" + domain + "," + host + "," + preference);
            return this;
        }

        public Dnsmasq start() throws IOException, InterruptedException {
            Path dnsmasq = Path.of("/usr/sbin/dnsmasq");
            Prerequisites.require(Files.isExecutable(dnsmasq),
                    "dnsmasq is not installed (apt-get install dnsmasq-base, as .ci/run does)");
            int dead = freePort();
            // In a file rather than on the command line: only there does dnsmasq read quoted strings.
            Path records = Files.createTempFile("dnsmasq", ".conf");
            records.toFile().deleteOnExit();
            Files.write(records, options);
            for (int attempt = 0; ; attempt++) {
                int port = freePort();
                List<String> command = new ArrayList<>(List.of(dnsmasq.toString(), "--no-daemon", "--port=" + port,
                        "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                        "--conf-file=" + records, "--user=" + System.getProperty("user.name"), "--pid-file",
                        "--local=/test/", "--server=/dead.test/127.0.0.1#" + dead, "--cache-size=0"));
                Process p = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                Dnsmasq server = new Dnsmasq(p, port);
                if (server.answers()) {
                    return server;
                }
                p.destroy();
                p.waitFor();
                if (attempt == 3) {
                    throw new IOException("dnsmasq did not start: " + String.join(" ", command));
                }
            }
        }
    }

    /** Whether dnsmasq answers a query (for the TXT of probe.test); binding its port to check would race its own bind. */
    private boolean answers() throws InterruptedException, IOException {
        byte[] query = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 5, 'p', 'r', 'o', 'b', 'e', 4, 't', 'e', 's', 't', 0, 0, 16, 0, 1};
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(100);
            for (int i = 0; i < 100 && process.isAlive(); i++) {
                socket.send(new DatagramPacket(query, query.length, InetAddress.getLoopbackAddress(), port));
                try {
                    socket.receive(new DatagramPacket(new byte[512], 512));
                    return true;
                } catch (SocketTimeoutException e) {
                    // not up yet
                } catch (PortUnreachableException e) {
                    Thread.sleep(50);
                }
            }
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, as written in {@code dns.resolvers}. */
    public String resolver() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
