package org.postlet.server.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The server's health: every SMTP listener is listening, the spool accepts a new file and has
 * room for at least one more message, and the mail queue can take mail (its broker is reachable). A spool that cannot be written means every 250 would turn
 * into a 4xx, so a load balancer should stop sending mail here.
 */
public final class ServerHealth implements HealthCheck {

    private final List<String> listeners;
    private final Predicate<String> listening;
    private final Path spool;
    private final long minFreeBytes;
    private final Supplier<Optional<String>> queueProblem;

    /** Health without a queue of its own to check: the spool is the queue. */
    public ServerHealth(List<String> listeners, Predicate<String> listening, Path spool, long minFreeBytes) {
        this(listeners, listening, spool, minFreeBytes, Optional::empty);
    }

    /**
     * @param listeners    the configured listener names
     * @param listening    whether the named listener is bound and accepting
     * @param spool        the spool directory
     * @param minFreeBytes below this much free space the spool counts as full (e.g. {@code smtp.maxMessageSize})
     * @param queueProblem why the mail queue cannot take mail now (a broker away), empty when it can
     */
    public ServerHealth(List<String> listeners, Predicate<String> listening, Path spool, long minFreeBytes,
                        Supplier<Optional<String>> queueProblem) {
        this.queueProblem = queueProblem;
        this.listeners = List.copyOf(listeners);
        this.listening = listening;
        this.spool = spool;
        this.minFreeBytes = minFreeBytes;
    }

    @Override
    public Health check() {
        List<Health.Check> checks = new ArrayList<>();
        for (String name : listeners) {
            String check = "smtp." + name;
            checks.add(listening.test(name) ? Health.Check.ok(check) : Health.Check.failed(check, "listener is not listening"));
        }
        checks.add(spool());
        checks.add(queueProblem.get().map(p -> Health.Check.failed("queue", p)).orElse(Health.Check.ok("queue")));
        return new Health(checks);
    }

    private Health.Check spool() {
        // A real file, not Files.isWritable: a read-only remount or an exhausted inode table only shows on create.
        Path probe = null;
        try {
            probe = Files.createTempFile(spool, ".health-", ".tmp");
            long free = Files.getFileStore(spool).getUsableSpace();
            if (free < minFreeBytes) {
                return Health.Check.failed("spool", spool + " has " + free + " bytes free, less than " + minFreeBytes);
            }
            return Health.Check.ok("spool");
        } catch (IOException e) {
            return Health.Check.failed("spool", "cannot write in " + spool + ": " + e);
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a leftover hidden probe file is harmless: the spool only reads its sub-folders
                }
            }
        }
    }
}
