package org.postlet.smtp.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Security;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.postlet.smtp.server.AuthMode;
import org.postlet.smtp.server.TlsMode;

/**
 * Which TLS versions Postlet's listeners negotiate, found out in a JVM of its own where TLS 1.0
 * and 1.1 are enabled again. The JDK disables them in {@code java.security} for clients and
 * servers alike, so in the test's own JVM a TLS 1.1 client could not even offer them and the
 * server could not accept them: a test there passes whatever Postlet's {@code TlsContext} allows.
 *
 * <p>The forked JVM starts a STARTTLS and an implicit-TLS {@link SmtpTestServer}, and, as the
 * control, a plain JDK TLS server with TLS 1.0–1.3 enabled; then a client offering one version at
 * a time connects to each. It prints one line per attempt: {@code <target> <version> negotiated
 * <version>} or {@code <target> <version> refused <reason>}, targets being {@code implicit},
 * {@code starttls} and {@code control}.
 */
public final class TlsProbe {

    /** The JDK's default list without TLSv1 and TLSv1.1. */
    private static final String DISABLED = "SSLv3, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, anon, NULL";
    public static final List<String> VERSIONS = List.of("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1");

    private TlsProbe() {
    }

    /** Runs the probe in a new JVM with this JVM's class path; returns attempt ("implicit TLSv1.1") to outcome. */
    public static Map<String, String> run() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), TlsProbe.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("the TLS probe failed: " + output);
        }
        Map<String, String> results = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            String[] words = line.strip().split(" ", 3);
            if (words.length == 3 && (words[2].startsWith("negotiated") || words[2].startsWith("refused"))) {
                results.put(words[0] + " " + words[1], words[2]);
            }
        }
        return results;
    }

    public static void main(String[] args) throws Exception {
        // Before anything touches TLS: the property is read once.
        Security.setProperty("jdk.tls.disabledAlgorithms", DISABLED);
        try (SmtpTestServer implicit = SmtpTestServer.builder().tls(TlsMode.IMPLICIT).auth(AuthMode.OPTIONAL).start();
             SmtpTestServer starttls = SmtpTestServer.builder().tls(TlsMode.STARTTLS).auth(AuthMode.OPTIONAL).start();
             SSLServerSocket control = controlServer()) {
            Thread acceptor = new Thread(() -> serve(control), "control-tls-server");
            acceptor.setDaemon(true);
            acceptor.start();
            for (String version : VERSIONS) {
                System.out.println("control " + version + " " + attempt(control.getLocalPort(), false, version));
                System.out.println("implicit " + version + " " + attempt(implicit.port(), false, version));
                System.out.println("starttls " + version + " " + attempt(starttls.port(), true, version));
            }
        }
        System.exit(0);
    }

    private static String attempt(int port, boolean starttls, String version) {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            plain.setSoTimeout(5000);
            if (starttls) {
                InputStream in = plain.getInputStream();
                readReply(in);
                plain.getOutputStream().write("EHLO probe.example\r\n".getBytes(StandardCharsets.US_ASCII));
                readReply(in);
                plain.getOutputStream().write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
                String ready = readReply(in);
                if (!ready.startsWith("220")) {
                    return "refused no STARTTLS: " + ready.strip();
                }
            }
            SSLSocket tls = (SSLSocket) TestTls.trustingClient().getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
            tls.setEnabledProtocols(new String[] {version});
            tls.startHandshake();
            return "negotiated " + tls.getSession().getProtocol();
        } catch (SSLException e) {
            return "refused " + e.getMessage();
        } catch (IOException e) {
            // A server may also just close the connection on a version it does not speak.
            return "refused " + e;
        }
    }

    /** A JDK TLS server with every version enabled: shows that this JVM's client really speaks them. */
    private static SSLServerSocket controlServer() throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        KeyStore keystore = SelfSignedKeystoreHolder.KEYSTORE;
        keys.init(keystore, TestTls.PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 10, InetAddress.getLoopbackAddress());
        server.setEnabledProtocols(VERSIONS.toArray(String[]::new));
        return server;
    }

    private static final class SelfSignedKeystoreHolder {
        static final KeyStore KEYSTORE;

        static {
            try {
                KEYSTORE = org.postlet.smtp.tls.SelfSignedKeystore.generate(SmtpTestServer.HOSTNAME, TestTls.PASSWORD);
            } catch (Exception e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private static void serve(SSLServerSocket server) {
        while (!server.isClosed()) {
            try (SSLSocket s = (SSLSocket) server.accept()) {
                s.startHandshake();
            } catch (IOException e) {
                // a refused handshake; the client reports it
            }
        }
    }

    private static String readReply(InputStream in) throws IOException {
        String line;
        StringBuilder all = new StringBuilder();
        do {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != '\n') {
                if (c == -1) {
                    throw new IOException("closed after " + all + b);
                }
                b.write(c);
            }
            line = b.toString(StandardCharsets.US_ASCII).strip();
            all.append(line).append('\n');
        } while (line.length() > 3 && line.charAt(3) == '-');
        return all.toString();
    }
}
