package org.postlet.testsupport.rspamd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.postlet.testsupport.Prerequisites;

/**
 * A private rspamd (Debian package {@code rspamd}) for one test class: the packaged rules, only a
 * normal worker on an ephemeral loopback port, its files in a folder of the test's, and GTUBE on.
 * Start it in {@code @BeforeAll} and close it in {@code @AfterAll}; a missing rspamd skips the test
 * locally and fails it in CI ({@link Prerequisites}).
 */
public final class LocalRspamd implements AutoCloseable {

    /**
     * The standard test string every rspamd rejects (Generic Test for Unsolicited Bulk Email);
     * rspamd 3 recognises it only with {@code enable_test_patterns}, which this rspamd sets.
     */
    public static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private static final Path BINARY = Path.of("/usr/bin/rspamd");

    private final Process process;
    private final int port;

    private LocalRspamd(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts rspamd with its configuration, database and log in {@code dir} and waits until it
     * listens (up to two minutes: the first start compiles its rules).
     *
     * @throws IOException when rspamd exits or does not listen in time; the message has its log
     */
    public static LocalRspamd start(Path dir) throws IOException, InterruptedException {
        Prerequisites.require(Files.isExecutable(BINARY), "rspamd is not installed (apt-get install rspamd, as .ci/run does)");
        int port = freePort();
        Path log = dir.resolve("rspamd.log");
        Files.writeString(dir.resolve("rspamd.conf"), """
                .include "$CONFDIR/common.conf"
                options {
                    pidfile = "$RUNDIR/rspamd.pid";
                    .include "$CONFDIR/options.inc"
                    enable_test_patterns = true;
                }
                logging {
                    type = "console";
                    level = "error";
                }
                worker "normal" {
                    bind_socket = "127.0.0.1:%d";
                    .include "$CONFDIR/worker-normal.inc"
                    count = 1;
                }
                """.formatted(port));
        Process process = new ProcessBuilder(BINARY.toString(), "-f", "-i", "-u", "root", "-g", "root",
                "-c", dir.resolve("rspamd.conf").toString(), "--var=DBDIR=" + dir, "--var=RUNDIR=" + dir, "--var=LOGDIR=" + dir)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LocalRspamd rspamd = new LocalRspamd(process, port);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (true) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return rspamd;
            } catch (IOException e) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    rspamd.close();
                    throw new IOException("rspamd did not start: " + Files.readString(log), e);
                }
                Thread.sleep(200);
            }
        }
    }

    /** A loopback port nothing listens on (it was free a moment ago): where an unreachable rspamd would be. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The normal worker's port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The normal worker's base URL, e.g. {@code http://127.0.0.1:40123}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Stops rspamd, forcibly after 20 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
