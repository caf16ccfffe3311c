package org.postlet.server.durability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.queue.QueueIds;
import org.postlet.queue.rabbitmq.RabbitMailQueue;
import org.postlet.queue.rabbitmq.RabbitMqSettings;
import org.postlet.server.PostletServer;
import org.postlet.testsupport.LocalRabbitMq;
import org.postlet.testsupport.TcpRelay;

/**
 * {@code queue.type: rabbitmq} end to end, against the broker on 127.0.0.1:5672: two nodes (two
 * processes, two spools, two metrics ports) share one queue name and one Maildir root; one is
 * SIGKILLed under load; every message answered 250 is delivered exactly once. And a node whose
 * broker goes away (a TCP relay in between is cut, so the shared broker stays up for others)
 * answers 451 4.3.0, says so on {@code /health}, takes mail again once the broker is back, and
 * under load loses none of the mail it answered 250.
 */
class RabbitMqNodesIT {

    private static final List<String> USERS = List.of("alice", "bob");
    private static final Pattern ATTEMPT = Pattern.compile("(?m)^X-Attempt: (\\S+)$");
    private static final Duration READY = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private String queueName;

    @BeforeEach
    void broker() {
        LocalRabbitMq.require();
        queueName = LocalRabbitMq.queueName();
    }

    @AfterEach
    void deleteQueues() throws IOException {
        try (RabbitMailQueue q = RabbitMailQueue.open(RabbitMqSettings.of(LocalRabbitMq.URI, queueName, dir.resolve("blobs")),
                new QueueIds(Clock.systemUTC()), Clock.systemUTC())) {
            q.deleteQueues();
        }
    }

    /** A node: its own spool, metrics port and SMTP port; the Maildir root and shared folder of all. */
    private Installation node(String name, String uri) throws IOException {
        Installation inst = Installation.create(dir.resolve(name), Installation.freePort(), Installation.DEFAULT_PIPELINE,
                dir.resolve(name).resolve("spool"), dir.resolve("mail"));
        Files.writeString(inst.conf.resolve("postlet.yaml"), """
                queue:
                  type: rabbitmq
                  uri: "%s"
                  name: %s
                  blobs: %s
                """.formatted(uri, queueName, dir.resolve("blobs")), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        return inst;
    }

    @Test
    void twoNodesShareTheWorkAndASigkilledOneLosesNothingItAcknowledged() throws Exception {
        int messages = 120;
        Installation a = node("a", LocalRabbitMq.URI);
        Installation b = node("b", LocalRabbitMq.URI);
        PostletProcess nodeA = PostletProcess.start(a.conf, dir.resolve("a.log"), READY);
        PostletProcess nodeB = PostletProcess.start(b.conf, dir.resolve("b.log"), READY);
        Map<String, List<String>> acknowledged = new ConcurrentHashMap<>(); // attempt -> recipients
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger failedOnA = new AtomicInteger();
        ConcurrentLinkedQueue<Integer> todo = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < messages; i++) {
            todo.add(i);
        }
        try {
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                boolean preferA = c % 2 == 0;
                Thread t = new Thread(() -> send(todo, preferA ? List.of(nodeA.port(), nodeB.port()) : List.of(nodeB.port()),
                        acknowledged, attempts, failedOnA, messages), "client-" + c);
                t.setDaemon(true);
                clients.add(t);
                t.start();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (acknowledged.size() < messages / 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            nodeA.kill();
            for (Thread t : clients) {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
            assertThat(acknowledged).as("messages answered 250; node b's log:\n%s", nodeB.tail(30)).hasSize(messages);

            int copies = acknowledged.values().stream().mapToInt(List::size).sum();
            long waitUntil = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (delivered(a).values().stream().mapToInt(m -> m.values().stream().mapToInt(Integer::intValue).sum()).sum() < copies
                    && System.nanoTime() < waitUntil) {
                Thread.sleep(100);
            }
            Thread.sleep(1_000); // a duplicate would come now
            Map<String, Map<String, Integer>> found = delivered(a);
            List<String> lost = new ArrayList<>();
            List<String> duplicates = new ArrayList<>();
            acknowledged.forEach((id, to) -> to.forEach(user -> {
                int n = found.getOrDefault(id, Map.of()).getOrDefault(user, 0);
                if (n == 0) {
                    lost.add(id + " -> " + user);
                } else if (n > 1) {
                    duplicates.add(id + " -> " + user + ": " + n);
                }
            }));
            Collections.sort(lost);
            System.out.printf("RabbitMqNodesIT: %d attempts for %d messages, %d failed on the killed node%n",
                    attempts.get(), messages, failedOnA.get());
            assertThat(lost).as("acknowledged but not delivered; node b's log:\n%s", nodeB.tail(40)).isEmpty();
            assertThat(duplicates).as("delivered more than once").isEmpty();
            assertThat(Files.readString(nodeA.log())).as("node a delivered its share before it died").contains("delivered to maildir");
            assertThat(Files.readString(nodeB.log())).contains("delivered to maildir")
                    .as("node b took over mails node a had taken and not acknowledged")
                    .contains("processed as a possible redelivery");
            assertThat(nodeB.stop()).isZero();
        } finally {
            nodeA.destroyQuietly();
            nodeB.destroyQuietly();
        }
    }

    /** Sends messages from {@code todo} to the first node of {@code ports} that answers; one that failed goes back. */
    private static void send(ConcurrentLinkedQueue<Integer> todo, List<Integer> ports, Map<String, List<String>> acknowledged,
                             AtomicInteger attempts, AtomicInteger failedOnFirst, int messages) {
        int node = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(110).toNanos();
        while (acknowledged.size() < messages && System.nanoTime() < deadline) {
            Integer message = todo.poll();
            if (message == null) {
                sleep(20);
                continue;
            }
            String id = "a" + attempts.incrementAndGet() + "-m" + message;
            List<String> users = message % 3 == 0 ? USERS : List.of(USERS.get(message % 2));
            List<String> to = users.stream().map(u -> u + "@example.test").toList();
            String text = "From: sender@example.com\r\nTo: " + String.join(", ", to) + "\r\nSubject: " + id + "\r\nX-Attempt: "
                    + id + "\r\n\r\nbody of " + id + "\r\n" + "x".repeat(message * 97 % 4000) + "\r\n";
            try (RawSmtp smtp = new RawSmtp(ports.get(node), 15_000)) {
                RawSmtp.Outcome outcome = smtp.send("sender@example.com", to, text);
                if (outcome.accepted()) {
                    acknowledged.put(id, users);
                    continue;
                }
                todo.add(message);
            } catch (IOException e) {
                if (node == 0 && ports.size() > 1) {
                    failedOnFirst.incrementAndGet();
                    node = 1; // the node died: go to the other, as a client would to the next MX
                }
                todo.add(message);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Attempt id -> user -> copies in the shared Maildir root. */
    private static Map<String, Map<String, Integer>> delivered(Installation inst) throws IOException {
        Map<String, Map<String, Integer>> found = new TreeMap<>();
        for (String user : USERS) {
            for (Path file : Installation.messages(inst.inbox(user))) {
                Matcher m = ATTEMPT.matcher(Files.readString(file, StandardCharsets.ISO_8859_1));
                if (m.find()) {
                    found.computeIfAbsent(m.group(1), x -> new TreeMap<>()).merge(user, 1, Integer::sum);
                }
            }
        }
        return found;
    }

    @Test
    void whileTheBrokerIsUnreachableMailIsAnswered451AndHealthSaysWhyThenItIsTakenAgain() throws Exception {
        try (TcpRelay relay = new TcpRelay(new InetSocketAddress("127.0.0.1", 5672))) {
            Installation inst = node("a", "amqp://guest:guest@127.0.0.1:" + relay.port() + "/");
            try (PostletServer server = PostletServer.start(inst.conf, PostletProcess.HOME)) {
                int port = server.port("mx");
                assertThat(send(port, "before").code()).isEqualTo(250);
                Installation.awaitMessages(inst.inbox("alice"), 1, Duration.ofSeconds(20));
                assertThat(health(inst).statusCode()).isEqualTo(200);

                relay.cut();
                HttpResponse<String> down = awaitHealth(inst, 503);
                assertThat(down.body()).contains("queue: RabbitMQ at amqp://127.0.0.1:" + relay.port() + "/ queue " + queueName
                        + " unreachable since");
                RawSmtp.Outcome refused = send(port, "during");
                assertThat(refused.code()).isEqualTo(451);
                assertThat(refused.text()).contains("4.3.0");

                relay.restore();
                awaitHealth(inst, 200);
                assertThat(send(port, "after").code()).isEqualTo(250);
                List<Path> inbox = Installation.awaitMessages(inst.inbox("alice"), 2, Duration.ofSeconds(20));
                Thread.sleep(500);
                assertThat(Installation.messages(inst.inbox("alice"))).hasSize(2);
                assertThat(Files.readString(inbox.get(1)) + Files.readString(inbox.get(0))).contains("Subject: after")
                        .doesNotContain("Subject: during");
            }
        }
    }

    @Test
    void aBrokerOutageUnderLoadAnswers451AndLosesNoMailThatGot250() throws Exception {
        try (TcpRelay relay = new TcpRelay(new InetSocketAddress("127.0.0.1", 5672))) {
            Installation inst = node("a", "amqp://guest:guest@127.0.0.1:" + relay.port() + "/");
            Map<String, List<String>> acknowledged = new ConcurrentHashMap<>();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger seq = new AtomicInteger();
            List<String> odd = Collections.synchronizedList(new ArrayList<>());
            try (PostletServer server = PostletServer.start(inst.conf, PostletProcess.HOME)) {
                int port = server.port("mx");
                long end = System.nanoTime() + Duration.ofSeconds(9).toNanos();
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    Thread t = new Thread(() -> {
                        while (System.nanoTime() < end) {
                            String id = "o" + seq.incrementAndGet();
                            String user = USERS.get(seq.get() % 2);
                            try (RawSmtp smtp = new RawSmtp(port, 15_000)) {
                                RawSmtp.Outcome o = smtp.send("sender@example.com", List.of(user + "@example.test"),
                                        "From: sender@example.com\r\nSubject: " + id + "\r\nX-Attempt: " + id + "\r\n\r\nbody\r\n");
                                if (o.accepted()) {
                                    acknowledged.put(id, List.of(user));
                                } else if (o.code() == 451) {
                                    refused.incrementAndGet();
                                } else {
                                    odd.add(id + ": " + o);
                                }
                            } catch (IOException e) {
                                odd.add(id + ": " + e);
                            }
                        }
                    }, "outage-client-" + c);
                    t.setDaemon(true);
                    clients.add(t);
                    t.start();
                }
                Thread.sleep(2_500);
                relay.cut();
                Thread.sleep(3_000);
                relay.restore();
                for (Thread t : clients) {
                    t.join(30_000);
                }
                awaitHealth(inst, 200);
                int copies = acknowledged.size();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (count(delivered(inst), acknowledged) < copies && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                Thread.sleep(1_000); // a duplicate would come now
            }
            Map<String, Map<String, Integer>> found = delivered(inst);
            List<String> wrong = new ArrayList<>();
            acknowledged.forEach((id, to) -> to.forEach(user -> {
                int n = found.getOrDefault(id, Map.of()).getOrDefault(user, 0);
                if (n != 1) {
                    wrong.add(id + " -> " + user + ": " + n + " copies");
                }
            }));
            System.out.printf("RabbitMqNodesIT: outage under load: %d answered 250, %d answered 451%n", acknowledged.size(),
                    refused.get());
            assertThat(odd).as("answers other than 250 and 451").isEmpty();
            assertThat(refused.get()).as("451s while the broker was away").isPositive();
            assertThat(acknowledged.size()).as("250s before and after the outage").isGreaterThan(20);
            assertThat(wrong).as("mails answered 250 not delivered exactly once").isEmpty();
        }
    }

    /** How many of the acknowledged copies are in the Maildir. */
    private static int count(Map<String, Map<String, Integer>> found, Map<String, List<String>> acknowledged) {
        int n = 0;
        for (Map.Entry<String, List<String>> e : acknowledged.entrySet()) {
            for (String user : e.getValue()) {
                n += Math.min(1, found.getOrDefault(e.getKey(), Map.of()).getOrDefault(user, 0));
            }
        }
        return n;
    }

    private static RawSmtp.Outcome send(int port, String subject) throws IOException {
        try (RawSmtp smtp = new RawSmtp(port, 15_000)) {
            return smtp.send("sender@example.com", List.of("alice@example.test"),
                    "From: sender@example.com\r\nSubject: " + subject + "\r\n\r\nhello\r\n");
        }
    }

    private static HttpResponse<String> health(Installation inst) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + inst.metricsPort + "/health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> awaitHealth(Installation inst, int status) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        HttpResponse<String> r = health(inst);
        while (r.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(50);
            r = health(inst);
        }
        assertThat(r.statusCode()).as("/health: %s", r.body()).isEqualTo(status);
        return r;
    }
}
