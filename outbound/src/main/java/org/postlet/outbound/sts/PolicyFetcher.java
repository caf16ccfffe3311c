package org.postlet.outbound.sts;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.postlet.dns.DnsFailureException;
import org.postlet.dns.DnsResolver;

/**
 * Fetches a domain's MTA-STS policy body from {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}
 * (RFC 8461 §3.3): the host found through our own {@link DnsResolver} (the JDK's HTTP client would
 * ask the system's), TLS with the certificate checked for the policy host, one HTTP/1.1 GET, no
 * redirects, status 200 and {@code text/plain} only, at most {@link #MAX_BODY} bytes, everything
 * within one deadline so a slow server cannot hold a delivery worker.
 */
public final class PolicyFetcher {

    /** The largest policy body taken (RFC 8461 §3.3 suggests a limit; real policies are a few hundred bytes). */
    public static final int MAX_BODY = 64 * 1024;
    private static final int MAX_HEADER = 16 * 1024;
    static final String PATH = "/.well-known/mta-sts.txt";

    private final DnsResolver dns;
    private final int port;
    private final SSLSocketFactory tls;
    private final Duration timeout;

    /**
     * @param port    443; a test's own port otherwise
     * @param tls     checks the certificate (the JVM's trusted authorities; a test's own CA)
     * @param timeout the longest a whole fetch may take, connecting included
     */
    public PolicyFetcher(DnsResolver dns, int port, SSLSocketFactory tls, Duration timeout) {
        this.dns = dns;
        this.port = port;
        this.tls = tls;
        this.timeout = timeout;
    }

    /** Port 443, the JVM's trusted authorities, 20 s. */
    public static PolicyFetcher standard(DnsResolver dns) {
        return new PolicyFetcher(dns, 443, (SSLSocketFactory) SSLSocketFactory.getDefault(), Duration.ofSeconds(20));
    }

    /**
     * The policy body of {@code domain}, as text.
     *
     * @throws PolicyFetchException saying what failed
     */
    public String fetch(String domain) throws PolicyFetchException {
        String host = "mta-sts." + domain;
        List<InetAddress> addresses;
        try {
            addresses = dns.addresses(host);
        } catch (DnsFailureException e) {
            throw new PolicyFetchException("cannot find the address of " + host + ": " + e.getMessage(), e);
        }
        if (addresses.isEmpty()) {
            throw new PolicyFetchException(host + " has no address");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        PolicyFetchException last = null;
        for (InetAddress address : addresses) {
            try {
                return fetch(host, new InetSocketAddress(address, port), deadline);
            } catch (IllegalArgumentException e) {
                throw new PolicyFetchException(host + " cannot be named in TLS (SNI): " + e.getMessage(), e);
            } catch (IOException e) {
                // A connection or TLS failure at one address: the next one may answer.
                last = new PolicyFetchException("https://" + host + PATH + " at " + address.getHostAddress() + ": "
                        + e.getMessage(), e);
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        throw last;
    }

    private String fetch(String host, InetSocketAddress target, long deadline) throws IOException, PolicyFetchException {
        try (Socket plain = new Socket()) {
            plain.connect(target, remaining(deadline));
            plain.setSoTimeout(remaining(deadline));
            try (SSLSocket socket = (SSLSocket) tls.createSocket(plain, host, target.getPort(), true)) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                parameters.setServerNames(List.of(new SNIHostName(host)));
                socket.setSSLParameters(parameters);
                socket.setUseClientMode(true);
                socket.startHandshake();
                OutputStream out = socket.getOutputStream();
                out.write(("GET " + PATH + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: text/plain\r\n"
                        + "User-Agent: Postlet\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return new Response(new BufferedInputStream(socket.getInputStream()), socket, deadline).body(host);
            }
        }
    }

    private static int remaining(long deadline) throws PolicyFetchException {
        long millis = (deadline - System.nanoTime()) / 1_000_000;
        if (millis <= 0) {
            throw new PolicyFetchException("the fetch took longer than allowed");
        }
        return (int) Math.min(Integer.MAX_VALUE, millis);
    }

    /** One HTTP/1.1 response, read strictly. */
    private static final class Response {
        private final InputStream in;
        private final Socket socket;
        private final long deadline;
        private int headerBytes;

        Response(InputStream in, Socket socket, long deadline) {
            this.in = in;
            this.socket = socket;
            this.deadline = deadline;
        }

        String body(String host) throws IOException, PolicyFetchException {
            String status = line();
            if (!status.matches("HTTP/1\\.[01] [0-9]{3}( .*)?")) {
                throw new PolicyFetchException(host + " did not answer in HTTP/1.1: '" + printable(status) + "'");
            }
            int code = Integer.parseInt(status.substring(9, 12));
            if (code != 200) {
                throw new PolicyFetchException("https://" + host + PATH + " answered " + printable(status.substring(9))
                        + (code / 100 == 3 ? " (redirects are not followed, RFC 8461 §3.3)" : ""));
            }
            long length = -1;
            boolean chunked = false;
            String type = null;
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                if (colon <= 0) {
                    throw new PolicyFetchException(host + " sent a malformed header line: '" + printable(header) + "'");
                }
                String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).strip();
                switch (name) {
                    case "content-length" -> {
                        if (!value.matches("[0-9]{1,10}")) {
                            throw new PolicyFetchException(host + " sent Content-Length '" + printable(value) + "'");
                        }
                        length = Long.parseLong(value);
                    }
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).equals("chunked");
                    case "content-type" -> type = value.toLowerCase(Locale.ROOT);
                    default -> {
                    }
                }
            }
            if (type == null || !(type.equals("text/plain") || type.startsWith("text/plain;"))) {
                throw new PolicyFetchException("https://" + host + PATH + " is " + (type == null ? "of no Content-Type"
                        : "of type " + printable(type)) + ", not text/plain");
            }
            if (length > MAX_BODY) {
                throw tooLarge(host);
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (chunked) {
                for (long size = chunkSize(host); size > 0; size = chunkSize(host)) {
                    copy(body, size, host);
                    if (!line().isEmpty()) {
                        throw new PolicyFetchException(host + " sent a malformed chunk");
                    }
                }
            } else if (length >= 0) {
                copy(body, length, host);
            } else {
                copy(body, -1, host);
            }
            return body.toString(StandardCharsets.UTF_8);
        }

        private long chunkSize(String host) throws IOException, PolicyFetchException {
            String size = line();
            int semicolon = size.indexOf(';');
            String hex = (semicolon < 0 ? size : size.substring(0, semicolon)).strip();
            if (!hex.matches("[0-9A-Fa-f]{1,8}")) {
                throw new PolicyFetchException(host + " sent a malformed chunk size '" + printable(size) + "'");
            }
            return Long.parseLong(hex, 16);
        }

        /** Copies {@code count} bytes (to the end of the stream when negative) within the size limit. */
        private void copy(ByteArrayOutputStream body, long count, String host) throws IOException, PolicyFetchException {
            byte[] buffer = new byte[4096];
            long left = count;
            while (count < 0 || left > 0) {
                socket.setSoTimeout(remaining(deadline));
                int n = in.read(buffer, 0, (int) (count < 0 ? buffer.length : Math.min(buffer.length, left)));
                if (n < 0) {
                    if (count < 0) {
                        return;
                    }
                    throw new PolicyFetchException(host + " closed the connection before the end of the policy");
                }
                body.write(buffer, 0, n);
                left -= n;
                if (body.size() > MAX_BODY) {
                    throw tooLarge(host);
                }
            }
        }

        private String line() throws IOException, PolicyFetchException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                socket.setSoTimeout(remaining(deadline));
                int b = in.read();
                if (b < 0) {
                    throw new PolicyFetchException("the policy server closed the connection in the middle of its answer");
                }
                if (++headerBytes > MAX_HEADER) {
                    throw new PolicyFetchException("the policy server sent more than " + MAX_HEADER + " bytes of headers");
                }
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
        }

        private static PolicyFetchException tooLarge(String host) {
            return new PolicyFetchException("the policy of " + host + " is larger than " + MAX_BODY + " bytes");
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 100 ? s.substring(0, 100) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
