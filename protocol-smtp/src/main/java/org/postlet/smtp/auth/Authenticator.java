package org.postlet.smtp.auth;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides whether credentials are right. The SMTP session calls it on the event loop and must not
 * be blocked, so an implementation that checks slow password hashes runs them elsewhere and
 * completes the stage later.
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * Checks a username and password.
     *
     * @return a stage completing with the authenticated identity (e.g. the user's address) when the
     *         credentials are right, empty when they are wrong; completing exceptionally when they
     *         cannot be checked now (the client gets 454 4.7.0 and may retry)
     */
    CompletionStage<Optional<String>> authenticate(Credentials credentials);

    /** An authenticator that knows nobody: every attempt fails. */
    static Authenticator refuseAll() {
        return credentials -> CompletableFuture.completedFuture(Optional.empty());
    }
}
