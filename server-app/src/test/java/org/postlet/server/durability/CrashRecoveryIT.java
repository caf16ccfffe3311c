package org.postlet.server.durability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5: "250 means on disk", and every message is delivered exactly once, whatever the moment
 * the server dies. Postlet runs as a separate process ({@code bin/postlet run}); several clients
 * send 300 messages, each to 1–3 of four local users; the server is killed with SIGKILL 3–5 times
 * at random points of the load and restarted each time on the same spool and maildir; clients
 * retry every message that did not get its 250.
 *
 * <p>Every attempt to send carries its own id ({@code X-Attempt}), so a retry of a message whose
 * first attempt died without a reply is a different attempt, and a copy in a maildir names the
 * attempt it came from. At the end (after a clean restart that drains the spool): every attempt
 * that got 250 is in each recipient's maildir exactly once with its whole body, no attempt is
 * anywhere twice, attempts without 250 are in a maildir at most once, and the spool is empty.
 *
 * <p>The seed of the random choices is printed and can be fixed with {@code -Dcrash.seed=N}.
 */
class CrashRecoveryIT {

    private static final int MESSAGES = 300;
    private static final int CLIENTS = 6;
    private static final List<String> USERS = List.of("alice", "bob", "carol", "dave");
    private static final Duration READY = Duration.ofSeconds(90);
    private static final Duration LOAD_DEADLINE = Duration.ofSeconds(150);
    private static final Pattern ATTEMPT = Pattern.compile("(?m)^X-Attempt: (\\S+)$");

    @TempDir
    Path dir;

    /** One try at sending one message. */
    private record Attempt(String id, int message, List<String> recipients, String body) {
    }

    @Test
    void everyAcknowledgedMessageIsDeliveredExactlyOnceAcrossRepeatedSigkills() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("CrashRecoveryIT seed: " + seed + " (repeat with -Dcrash.seed=" + seed + ")");
        Random random = new Random(seed);
        int port = Installation.freePort();
        Installation inst = Installation.create(dir, port, Installation.DEFAULT_PIPELINE);
        Files.writeString(inst.conf.resolve("users.passwd"), "carol@example.test:{PLAIN}carol\ndave@example.test:{PLAIN}dave\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);

        // The messages: recipients and size chosen up front, so the seed reproduces the load.
        List<List<String>> recipients = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            List<String> users = new ArrayList<>(USERS);
            Collections.shuffle(users, random);
            recipients.add(List.copyOf(users.subList(0, 1 + random.nextInt(3))));
            sizes.add(200 + random.nextInt(random.nextInt(10) == 0 ? 200_000 : 8_000));
        }
        int kills = 3 + random.nextInt(3);
        List<Integer> killAt = new ArrayList<>();
        for (int k = 0; k < kills; k++) {
            killAt.add(MESSAGES / 10 + random.nextInt(MESSAGES * 8 / 10)); // between 10 % and 90 % acknowledged
        }
        Collections.sort(killAt);

        Map<String, Attempt> attempts = new ConcurrentHashMap<>();
        Map<String, String> acknowledged = new ConcurrentHashMap<>(); // attempt id -> 250 text
        Map<Integer, String> ackedMessage = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Integer> todo = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < MESSAGES; i++) {
            todo.add(i);
        }
        AtomicInteger attemptSeq = new AtomicInteger();
        AtomicInteger brokenConnections = new AtomicInteger();
        AtomicInteger temporaryFailures = new AtomicInteger();
        List<String> clientProblems = Collections.synchronizedList(new ArrayList<>());
        long loadDeadline = System.nanoTime() + LOAD_DEADLINE.toNanos();

        List<PostletProcess> incarnations = new ArrayList<>();
        PostletProcess server = PostletProcess.start(inst.conf, dir.resolve("postlet-0.log"), READY);
        incarnations.add(server);
        List<Thread> clients = new ArrayList<>();
        CountDownLatch clientsDone = new CountDownLatch(CLIENTS);
        try {
            for (int c = 0; c < CLIENTS; c++) {
                Random own = new Random(seed + c + 1);
                Thread t = new Thread(() -> {
                    try {
                        runClient(port, own, todo, recipients, sizes, attempts, acknowledged, ackedMessage, attemptSeq,
                                brokenConnections, temporaryFailures, loadDeadline);
                    } catch (Throwable e) {
                        clientProblems.add(e.toString());
                    } finally {
                        clientsDone.countDown();
                    }
                }, "crash-client-" + c);
                t.setDaemon(true);
                clients.add(t);
                t.start();
            }

            // Kill at the chosen points of progress, a random few milliseconds later; restart at once.
            for (int k = 0; k < kills; k++) {
                int threshold = killAt.get(k);
                while (ackedMessage.size() < threshold && clientsDone.getCount() > 0 && System.nanoTime() < loadDeadline) {
                    Thread.sleep(2);
                }
                Thread.sleep(random.nextInt(60));
                server.kill();
                System.out.printf("CrashRecoveryIT: SIGKILL %d/%d after %d acknowledged messages%n", k + 1, kills,
                        ackedMessage.size());
                server = PostletProcess.start(inst.conf, dir.resolve("postlet-" + (k + 1) + ".log"), READY);
                incarnations.add(server);
            }
            assertThat(clientsDone.await(Math.max(1, loadDeadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                    .as("all %d messages acknowledged within %d s (acknowledged: %d); server log:\n%s", MESSAGES,
                            LOAD_DEADLINE.toSeconds(), ackedMessage.size(), server.tail(30))
                    .isTrue();
            assertThat(clientProblems).as("client failures").isEmpty();
            assertThat(ackedMessage).as("messages acknowledged with 250").hasSize(MESSAGES);

            // A clean restart drains whatever the last incarnation still had in the spool.
            assertThat(server.stop()).as("exit code after SIGTERM; log:\n%s", server.tail(30)).isZero();
            server = PostletProcess.start(inst.conf, dir.resolve("postlet-final.log"), READY);
            incarnations.add(server);
            try {
                inst.awaitEmptyQueue(Duration.ofSeconds(60));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + " after a clean start; log:\n" + server.tail(40), e);
            }
            assertThat(server.stop()).as("exit code after SIGTERM; log:\n%s", server.tail(30)).isZero();
        } finally {
            for (Thread t : clients) {
                t.interrupt();
            }
            for (PostletProcess p : incarnations) {
                p.destroyQuietly();
            }
        }

        // What is in the maildirs: attempt id -> user -> copies.
        Map<String, Map<String, Integer>> found = new TreeMap<>();
        List<String> foreign = new ArrayList<>();
        List<String> wrongContent = new ArrayList<>();
        for (String user : USERS) {
            for (Path file : Installation.messages(inst.inbox(user))) {
                String text = Files.readString(file, StandardCharsets.ISO_8859_1);
                Matcher m = ATTEMPT.matcher(text);
                if (!m.find()) {
                    foreign.add(file.toString());
                    continue;
                }
                String id = m.group(1);
                found.computeIfAbsent(id, x -> new TreeMap<>()).merge(user, 1, Integer::sum);
                Attempt a = attempts.get(id);
                if (a == null || !a.recipients().contains(user)) {
                    foreign.add(file + " (attempt " + id + " was not sent to " + user + ")");
                } else if (!text.startsWith("Return-Path: <sender@example.com>\nDelivered-To: " + user + "@example.test\n")
                        || !text.endsWith(a.body().replace("\r\n", "\n"))) {
                    wrongContent.add(file + " (attempt " + id + ")");
                }
            }
        }
        List<String> duplicates = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        for (Attempt a : attempts.values()) {
            Map<String, Integer> copies = found.getOrDefault(a.id(), Map.of());
            boolean acked = acknowledged.containsKey(a.id());
            for (String user : a.recipients()) {
                int n = copies.getOrDefault(user, 0);
                if (n > 1) {
                    duplicates.add(a.id() + " -> " + user + ": " + n + " copies" + (acked ? " (acknowledged: "
                            + acknowledged.get(a.id()) + ")" : " (not acknowledged)"));
                } else if (n == 0 && acked) {
                    lost.add(a.id() + " -> " + user + " (acknowledged: " + acknowledged.get(a.id()) + ")");
                }
            }
        }
        Collections.sort(duplicates);
        Collections.sort(lost);
        long unackedDelivered = attempts.values().stream()
                .filter(a -> !acknowledged.containsKey(a.id()) && found.containsKey(a.id())).count();
        System.out.printf("CrashRecoveryIT: %d kills, %d attempts for %d messages, %d broken connections, %d temporary"
                        + " failures, %d unacknowledged attempts delivered anyway, %d duplicates, %d lost%n",
                kills, attempts.size(), MESSAGES, brokenConnections.get(), temporaryFailures.get(), unackedDelivered,
                duplicates.size(), lost.size());

        assertThat(inst.spoolLeftovers()).as("queue and maildrop/ after the final drain").isEmpty();
        try (Stream<Path> s = Files.list(inst.error)) {
            assertThat(s.toList()).as("mail in the error repository %s", inst.error).isEmpty();
        }
        assertThat(lost).as("acknowledged messages missing from a recipient's maildir (seed %d)", seed).isEmpty();
        assertThat(duplicates).as("messages delivered more than once to the same recipient (seed %d)", seed).isEmpty();
        assertThat(foreign).as("maildir files that do not belong there").isEmpty();
        assertThat(wrongContent).as("maildir files whose content is not what was sent").isEmpty();
    }

    /**
     * Takes messages from {@code todo} until none is left, one attempt at a time; a message that
     * did not get a 250 goes back on the queue and is tried again as a new attempt.
     */
    private static void runClient(int port, Random random, ConcurrentLinkedQueue<Integer> todo,
            List<List<String>> recipients, List<Integer> sizes, Map<String, Attempt> attempts,
            Map<String, String> acknowledged, Map<Integer, String> ackedMessage, AtomicInteger attemptSeq,
            AtomicInteger broken, AtomicInteger temporary, long deadline) throws Exception {
        RawSmtp smtp = null;
        try {
            while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
                Integer message = todo.poll();
                if (message == null) {
                    if (ackedMessage.size() == recipients.size()) {
                        return;
                    }
                    Thread.sleep(20); // another client holds the rest; one may come back for a retry
                    continue;
                }
                if (smtp == null) {
                    try {
                        smtp = new RawSmtp(port, 15_000);
                    } catch (IOException e) {
                        todo.add(message); // the server is restarting
                        Thread.sleep(50);
                        continue;
                    }
                }
                String id = "a" + attemptSeq.incrementAndGet() + "-m" + message;
                List<String> to = recipients.get(message).stream().map(u -> u + "@example.test").toList();
                String body = body(id, sizes.get(message), random);
                Attempt attempt = new Attempt(id, message, recipients.get(message), body);
                attempts.put(id, attempt);
                String text = "From: sender@example.com\r\nTo: " + String.join(", ", to) + "\r\nSubject: crash test " + id
                        + "\r\nMessage-ID: <" + id + "@crash.test>\r\nX-Attempt: " + id + "\r\n\r\n" + body;
                RawSmtp.Outcome outcome;
                try {
                    outcome = smtp.send("sender@example.com", to, text);
                } catch (IOException e) {
                    broken.incrementAndGet();
                    smtp.close();
                    smtp = null;
                    todo.add(message);
                    continue;
                }
                if (outcome.accepted()) {
                    acknowledged.put(id, outcome.text());
                    ackedMessage.put(message, id);
                } else if (outcome.code() >= 400 && outcome.code() < 500) {
                    temporary.incrementAndGet();
                    todo.add(message);
                } else {
                    throw new AssertionError("attempt " + id + " refused permanently: " + outcome);
                }
                if (random.nextInt(3) == 0) { // sometimes a new session per message, sometimes several per session
                    smtp.close();
                    smtp = null;
                }
            }
        } finally {
            if (smtp != null) {
                smtp.close();
            }
        }
    }

    /** About {@code size} bytes of text lines, starting and ending with the attempt id. */
    private static String body(String id, int size, Random random) {
        StringBuilder b = new StringBuilder(size + 200);
        b.append("begin ").append(id).append("\r\n");
        while (b.length() < size) {
            for (int i = 0; i < 70; i++) {
                b.append((char) ('a' + random.nextInt(26)));
            }
            b.append("\r\n");
        }
        b.append("end ").append(id).append("\r\n");
        return b.toString();
    }
}
