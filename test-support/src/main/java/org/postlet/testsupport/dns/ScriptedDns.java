package org.postlet.testsupport.dns;

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
import java.util.concurrent.TimeUnit;
import org.postlet.testsupport.Prerequisites;

/**
 * A DNS server for tests: Debian's dnsmasq on an ephemeral loopback port, answering only what the
 * test scripted. Every name under the test's domains ({@code .test} by default) that was not
 * scripted is NXDOMAIN; a name with other records but not the one asked gets an empty answer; names
 * under {@code dead.test} are forwarded to a port nobody answers on, for temporary errors.
 *
 * <pre>{@code
 * try (ScriptedDns dns = ScriptedDns.builder().mx("remote.test", "mx1.remote.test", 10)
 *         .host("mx1.remote.test", "127.0.0.1").start()) {
 *     ... resolver at 127.0.0.1:dns.port() ...
 * }
 * }</pre>
 */
public final class ScriptedDns implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path records;
    private final Path log;

    private ScriptedDns(Process process, int port, Path records, Path log) {
        this.process = process;
        this.port = port;
        this.records = records;
        this.log = log;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The UDP and TCP port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, as {@code dns.resolvers} takes it. */
    public String resolver() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(log);
        Files.deleteIfExists(records);
    }

    /** The records to serve. */
    public static final class Builder {
        private final List<String> options = new ArrayList<>();
        private final List<String> zones = new ArrayList<>(List.of("test"));

        /** An MX record: {@code domain} has the mail exchanger {@code host} at {@code preference}. */
        public Builder mx(String domain, String host, int preference) {
            options.add("mx-host=" + domain + "," + host + "," + preference);
            return this;
        }

        /** A null MX (RFC 7505: {@code 0 .}) for {@code domain}. */
        public Builder nullMx(String domain) {
            options.add("dns-rr=" + domain + ",15,000000");
            return this;
        }

        /**
         * A TXT record; several calls for one name give several records. A long text is split into
         * strings of 255 characters, as DNS requires (readers join them again).
         */
        public Builder txt(String name, String text) {
            if (text.contains("\"")) {
                throw new IllegalArgumentException("a scripted TXT text may not contain \" (dnsmasq's syntax): " + text);
            }
            StringBuilder strings = new StringBuilder();
            for (int i = 0; i < text.length(); i += 255) {
                strings.append(i == 0 ? "" : ",").append('"').append(text, i, Math.min(text.length(), i + 255)).append('"');
            }
            options.add("txt-record=" + name + "," + (text.isEmpty() ? "\"\"" : strings));
            return this;
        }

        /** A and/or AAAA records (and their PTR). */
        public Builder host(String name, String... addresses) {
            options.add("host-record=" + name + "," + String.join(",", addresses));
            return this;
        }

        /** Also answer (NXDOMAIN for what is not scripted) for this zone, besides {@code test}. */
        public Builder zone(String zone) {
            zones.add(zone);
            return this;
        }

        /** Starts dnsmasq (package dnsmasq-base); skips or fails the test when it is missing. */
        public ScriptedDns start() throws IOException, InterruptedException {
            Prerequisites.requireCommand("dnsmasq", "dnsmasq-base");
            int dead = freeUdpPort();
            // In a file rather than on the command line: only there does dnsmasq read quoted strings.
            Path records = Files.createTempFile("dnsmasq", ".conf");
            List<String> lines = new ArrayList<>(options);
            for (String zone : zones) {
                lines.add("local=/" + zone + "/");
            }
            lines.add("server=/dead.test/127.0.0.1#" + dead);
            Files.write(records, lines);
            IOException last = null;
            for (int attempt = 0; attempt < 5; attempt++) {
                int port = freeUdpPort();
                Path log = Files.createTempFile("dnsmasq", ".log");
                List<String> command = List.of("dnsmasq", "--no-daemon", "--port=" + port,
                        "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                        "--conf-file=" + records, "--pid-file=", "--user=" + System.getProperty("user.name"),
                        "--cache-size=0");
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (answers(p, port)) {
                    return new ScriptedDns(p, port, records, log);
                }
                p.destroyForcibly();
                p.waitFor();
                last = new IOException("dnsmasq did not start on port " + port + ": " + Files.readString(log));
                Files.deleteIfExists(log);
            }
            Files.deleteIfExists(records);
            throw last;
        }

        /** Whether dnsmasq answers a query (the TXT of probe.test); binding its port to check would race its own bind. */
        private static boolean answers(Process process, int port) throws InterruptedException, IOException {
            byte[] query = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 5, 'p', 'r', 'o', 'b', 'e', 4, 't', 'e', 's', 't', 0,
                0, 16, 0, 1};
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
                        TimeUnit.MILLISECONDS.sleep(50);
                    }
                }
            }
            return false;
        }

        private static int freeUdpPort() throws IOException {
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }
    }
}
