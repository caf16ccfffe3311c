package org.postlet.outbound;

import java.time.Duration;
import java.util.Optional;
import org.postlet.outbound.client.Login;
import org.postlet.outbound.client.TlsPolicy;

/**
 * How the SMTP client behaves.
 *
 * @param heloName                  the name we give in EHLO (the server's host name)
 * @param tls                       whether to use STARTTLS
 * @param connectTimeout            the longest wait for a TCP connection
 * @param replyTimeout              the longest wait for one reply (RFC 5321 §4.5.3.2 suggests minutes)
 * @param connectionsPerDestination how many connections at most to one domain (or the gateway) at once,
 *                                  so a slow destination holds only that many delivery workers
 * @param gatewayLogin              the account to log in with at the gateway, over TLS only
 */
public record TransportSettings(String heloName, TlsPolicy tls, Duration connectTimeout, Duration replyTimeout,
                                int connectionsPerDestination, Optional<Login> gatewayLogin) {

    /** Without a gateway login. */
    public TransportSettings(String heloName, TlsPolicy tls, Duration connectTimeout, Duration replyTimeout,
                             int connectionsPerDestination) {
        this(heloName, tls, connectTimeout, replyTimeout, connectionsPerDestination, Optional.empty());
    }
}
