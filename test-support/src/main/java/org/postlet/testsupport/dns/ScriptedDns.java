package org.postlet.testsupport.dns;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.postlet.testsupport.Prerequisites;

/**
 * A DNS server for tests: Debian's dnsmasq on an ephemeral loopback port, answering only what the
 * test scripted. Every name under the test's domains ({@code .test} by default) that was not
 * scripted is NXDOMAIN; a name with other records but not the one asked gets an empty answer.
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
    private final Path log;

    private ScriptedDns(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
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
    }

    /** The records to serve. */
    public static final class Builder {
        private final List<String> options = new ArrayList<>();
        private final List<String> zones = new ArrayList<>(List.of("test"));

        /** An MX record: {@code domain} has the mail exchanger {@code host} at {@code preference}. */
        public Builder mx(String domain, String host, int preference) {
            options.add("--mx-host=" + domain + "," + host + "," + preference);
            return this;
        }

        /** A null MX (RFC 7505: {@code 0 .}) for {@code domain}. */
        public Builder nullMx(String domain) {
            options.add("--dns-rr=" + domain + ",15,000000");
            return this;
        }

        /** A TXT record of one string; several calls for one name give several records. */
        public Builder txt(String name, String text) {
            if (text.contains("\"") || text.contains(",")) {
                throw new IllegalArgumentException("a scripted TXT text may not contain \" or , (dnsmasq's syntax): " + text);
            }
            options.add("--txt-record=" + name + "," + text);
            return this;
        }

        /** An A or AAAA record (and its PTR). */
        public Builder host(String name, String address) {
            options.add("--host-record=" + name + "," + address);
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
            IOException last = null;
            for (int attempt = 0; attempt < 5; attempt++) {
                int port = freeUdpPort();
                Path log = Files.createTempFile("dnsmasq", ".log");
                List<String> command = new ArrayList<>(List.of("dnsmasq", "--no-daemon", "--port=" + port,
                        "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                        "--conf-file=/dev/null", "--pid-file=", "--user=" + System.getProperty("user.name")));
                for (String zone : zones) {
                    command.add("--local=/" + zone + "/");
                }
                command.addAll(options);
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (awaitListening(p, port)) {
                    return new ScriptedDns(p, port, log);
                }
                p.destroyForcibly();
                last = new IOException("dnsmasq did not start on port " + port + ": " + Files.readString(log));
                Files.deleteIfExists(log);
            }
            throw last;
        }

        private static boolean awaitListening(Process p, int port) throws InterruptedException {
            for (int i = 0; i < 100; i++) {
                if (!p.isAlive()) {
                    return false;
                }
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return true;
                } catch (IOException notYet) {
                    TimeUnit.MILLISECONDS.sleep(20);
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
