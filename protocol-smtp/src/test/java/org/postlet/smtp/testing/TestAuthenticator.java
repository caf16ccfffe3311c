package org.postlet.smtp.testing;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import org.postlet.smtp.auth.Authenticator;
import org.postlet.smtp.auth.Credentials;

/**
 * Knows alice@example.test with password "secret" and bob@example.test with "hunter2"; answers
 * from another thread, as a real password check would. {@link #failWith} makes it throw.
 */
public final class TestAuthenticator implements Authenticator {

    private static final Map<String, String> PASSWORDS = Map.of("alice@example.test", "secret",
            "bob@example.test", "hunter2");

    private final AtomicInteger calls = new AtomicInteger();
    private volatile RuntimeException failure;
    private volatile long delayMillis;

    /** Makes every check take this long, as a slow password hash would. */
    public void answerAfter(java.time.Duration delay) {
        delayMillis = delay.toMillis();
    }

    public void failWith(RuntimeException e) {
        failure = e;
    }

    public int calls() {
        return calls.get();
    }

    @Override
    public CompletionStage<Optional<String>> authenticate(Credentials credentials) {
        calls.incrementAndGet();
        java.util.concurrent.Executor executor = delayMillis == 0 ? ForkJoinPool.commonPool()
                : CompletableFuture.delayedExecutor(delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        return CompletableFuture.supplyAsync(() -> {
            if (failure != null) {
                throw failure;
            }
            String expected = PASSWORDS.get(credentials.username());
            return expected != null && expected.equals(credentials.password())
                    ? Optional.of(credentials.username()) : Optional.<String>empty();
        }, executor);
    }
}
