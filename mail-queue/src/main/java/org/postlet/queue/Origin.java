package org.postlet.queue;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a queued mail came from. Only {@link SmtpSession} has a client; mail the server made itself
 * says so instead of pretending to be an SMTP session.
 */
public sealed interface Origin {

    /**
     * Received from an SMTP client.
     *
     * @param heloName          the name given in HELO or EHLO
     * @param clientAddress     the client's IP address, as text
     * @param clientPort        the client's port
     * @param authenticatedUser the SMTP AUTH identity, if the client authenticated
     * @param tls               protocol and cipher suite if the session was encrypted
     * @param listener          the name of the listener that accepted the connection
     */
    record SmtpSession(String heloName, String clientAddress, int clientPort, Optional<String> authenticatedUser,
                       Optional<String> tls, String listener) implements Origin {
        public SmtpSession {
            Objects.requireNonNull(heloName, "heloName");
            Objects.requireNonNull(clientAddress, "clientAddress");
            Objects.requireNonNull(authenticatedUser, "authenticatedUser");
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(listener, "listener");
        }
    }

    /**
     * Made by a mailet while processing another mail (a bounce, a forward, a notification).
     *
     * @param cause the queue id of the mail being processed when it was made
     */
    record Generated(String cause) implements Origin {
        public Generated {
            Objects.requireNonNull(cause, "cause");
        }
    }

    /**
     * Put back into processing by an operator from a repository of kept mails.
     *
     * @param repository the repository it was kept in, as the operator named it
     */
    record Requeued(String repository) implements Origin {
        public Requeued {
            Objects.requireNonNull(repository, "repository");
        }
    }

    /**
     * Given to {@code bin/postlet trace}; never queued.
     *
     * @param file the message file traced
     */
    record Trace(String file) implements Origin {
        public Trace {
            Objects.requireNonNull(file, "file");
        }
    }

    /** The SMTP session it came from, if it came from one. */
    default Optional<SmtpSession> smtpSession() {
        return this instanceof SmtpSession s ? Optional.of(s) : Optional.empty();
    }
}
