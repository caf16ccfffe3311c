package org.postlet.smtp.policy;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * What a policy knows about the SMTP client.
 *
 * @param address           the client's address and port
 * @param heloName          the HELO/EHLO name, empty before HELO
 * @param authenticatedUser the SMTP AUTH identity, if any
 * @param listener          the name of the listener the client connected to
 */
public record Client(InetSocketAddress address, String heloName, Optional<String> authenticatedUser, String listener) {
}
