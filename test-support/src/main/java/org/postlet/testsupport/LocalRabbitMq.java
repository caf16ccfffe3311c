package org.postlet.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The RabbitMQ broker on 127.0.0.1:5672 (guest/guest) that tests of the RabbitMQ queue use; this
 * project's machines and .ci/run start one. Other tests share the broker, so a test uses queue
 * names of its own ({@link #queueName}) and drops only its own connections.
 */
public final class LocalRabbitMq {

    /** The broker's URI. */
    public static final String URI = "amqp://guest:guest@127.0.0.1:5672/";

    private LocalRabbitMq() {
    }

    /** Skips the test (fails it with CI=true) when no broker answers on 127.0.0.1:5672. */
    public static void require() {
        Prerequisites.require(answers(), "no RabbitMQ broker answers on 127.0.0.1:5672 (start one with"
                + " 'rabbitmq-server -detached', as .ci/run does)");
    }

    private static boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 5672), 2_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A queue name no other test uses. */
    public static String queueName() {
        return "postlet-test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Closes, from the broker's side, every connection whose client-given name contains
     * {@code namePart}: the connection loss a node sees when the broker restarts, without
     * disturbing anyone else's connections.
     *
     * @return how many were closed
     */
    public static int closeConnections(String namePart) throws IOException, InterruptedException {
        List<String> pids = new ArrayList<>();
        for (String line : rabbitmqctl("-q", "list_connections", "pid", "client_properties").split("\n")) {
            if (line.contains(namePart) && line.startsWith("<")) {
                pids.add(line.substring(0, line.indexOf('>') + 1));
            }
        }
        for (String pid : pids) {
            rabbitmqctl("close_connection", pid, "closed by a Postlet test");
        }
        return pids.size();
    }

    private static String rabbitmqctl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("rabbitmqctl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("rabbitmqctl " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }
}
