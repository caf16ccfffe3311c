package org.postlet.smtp.session;

import java.util.Optional;
import org.postlet.smtp.auth.Authenticator;
import org.postlet.smtp.inbound.InboundQueue;
import org.postlet.smtp.policy.RecipientPolicy;
import org.postlet.smtp.policy.SenderPolicy;
import org.postlet.smtp.server.ClientAuthFailures;
import org.postlet.smtp.server.ListenerLoad;
import org.postlet.smtp.server.ListenerSettings;
import org.postlet.smtp.server.SmtpEvents;
import org.postlet.smtp.server.SmtpSettings;
import org.postlet.smtp.tls.TlsContext;

/**
 * What a session works with, shared by every session of one listener.
 *
 * @param settings      the server's settings and limits
 * @param listener      the listener the client connected to
 * @param queue         where accepted messages go
 * @param policy        decides about each recipient
 * @param senderPolicy  decides about the sender of each transaction
 * @param authenticator checks AUTH credentials
 * @param tls           the key material for STARTTLS; present whenever the listener uses TLS
 * @param events        told about connections, handshakes, AUTH verdicts and replies, for metrics
 * @param authFailures  failed AUTH attempts per client address, shared by all sessions
 * @param load          how crowded the listener is, for the stress timeouts
 */
public record SessionConfig(SmtpSettings settings, ListenerSettings listener, InboundQueue queue,
                            RecipientPolicy policy, SenderPolicy senderPolicy, Authenticator authenticator, Optional<TlsContext> tls,
                            SmtpEvents events, ClientAuthFailures authFailures,
                            ListenerLoad load) {
}
