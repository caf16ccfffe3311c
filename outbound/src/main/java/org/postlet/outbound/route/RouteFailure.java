package org.postlet.outbound.route;

/**
 * No host can be tried for a domain. Permanent when DNS says so (no such domain, null MX, mail that
 * would loop back here), temporary when DNS failed.
 */
public final class RouteFailure extends Exception {

    private final boolean permanent;
    private final String status;

    /**
     * @param status the RFC 3463 status to report ({@code 5.1.2}, {@code 4.4.3}, ...)
     */
    public RouteFailure(String message, boolean permanent, String status) {
        super(message);
        this.permanent = permanent;
        this.status = status;
    }

    public boolean permanent() {
        return permanent;
    }

    public String status() {
        return status;
    }
}
