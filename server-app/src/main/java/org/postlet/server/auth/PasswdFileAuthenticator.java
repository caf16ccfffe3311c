package org.postlet.server.auth;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.postlet.mailet.InvalidAddressException;
import org.postlet.mailet.MailAddress;
import org.postlet.server.directory.Directory;
import org.postlet.smtp.auth.Authenticator;
import org.postlet.smtp.auth.Credentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks SMTP AUTH credentials against the passwd-file users of the {@link Directory}: the
 * username is the full address ({@code alice@example.test}), the password is checked against the
 * user's hash by {@link PasswordHashes}. The authenticated identity is the address as written in
 * the passwd-file.
 *
 * <p>Hashes like SHA512-CRYPT and bcrypt take milliseconds on purpose, so they run on a small
 * bounded pool, never on the SMTP event loop. When the pool's queue is full the attempt completes
 * exceptionally and the client gets 454 4.7.0 (try later) rather than piling up work. An unknown
 * user costs the same hash computation as a known one, so timing does not tell which users exist.
 */
public final class PasswdFileAuthenticator implements Authenticator, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PasswdFileAuthenticator.class);
    private static final int THREADS = 2;
    private static final int QUEUE = 64;

    private final Directory directory;
    private final ThreadPoolExecutor executor;
    /** Checked for unknown users so they take as long as known ones. */
    private final String decoyHash = "{SHA512-CRYPT}" + Sha2Crypt.sha512Crypt("decoy".getBytes(StandardCharsets.UTF_8));

    public PasswdFileAuthenticator(Directory directory) {
        this.directory = directory;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "postlet-auth-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    @Override
    public CompletionStage<Optional<String>> authenticate(Credentials credentials) {
        try {
            return CompletableFuture.supplyAsync(() -> check(credentials), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new RejectedExecutionException(
                    "too many AUTH attempts waiting (" + QUEUE + "); the client is asked to retry", e));
        }
    }

    private Optional<String> check(Credentials credentials) {
        Optional<Directory.User> user;
        try {
            user = directory.user(MailAddress.parse(credentials.username()));
        } catch (InvalidAddressException e) {
            user = Optional.empty();
        }
        if (user.isEmpty()) {
            PasswordHashes.matches(decoyHash, credentials.password());
            return Optional.empty();
        }
        String hash = user.get().passwordHash();
        if (PasswordHashes.schemeOf(hash).isEmpty()) {
            LOG.warn("user {} has a password scheme this server does not know: {}; use SHA512-CRYPT, BLF-CRYPT or PLAIN",
                    user.get().address(), hash.substring(0, Math.max(0, hash.indexOf('}') + 1)));
        }
        return PasswordHashes.matches(hash, credentials.password())
                ? Optional.of(user.get().address().toString()) : Optional.empty();
    }

    /** Stops the pool; attempts still queued are dropped, their clients see the connection close anyway. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
