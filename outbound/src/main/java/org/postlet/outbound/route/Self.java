package org.postlet.outbound.route;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Set;

/**
 * This server as a destination, so that mail is never sent to itself in a loop: a host is
 * ourselves when it listens on one of our SMTP ports and either has our host name or one of our
 * addresses. Another server on this machine but another port is not ourselves (tests run so).
 *
 * @param hostname our host name
 * @param ports    the ports our SMTP listeners use
 */
public record Self(String hostname, Set<Integer> ports) {

    public Self {
        ports = Set.copyOf(ports);
    }

    /** Whether {@code host} at {@code address}:{@code port} is this server. */
    public boolean is(String host, InetAddress address, int port) {
        if (!ports.contains(port)) {
            return false;
        }
        if (host.equalsIgnoreCase(hostname)) {
            return true;
        }
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false; // cannot list the interfaces: the address is not known to be ours
        }
    }
}
