package org.postlet.outbound.client;

/**
 * The remote server would not talk to us at all: a 4xx or 5xx greeting, EHLO and HELO refused, or
 * a TLS policy the server cannot meet. The next mail exchanger may do better.
 */
public final class HostRefusedException extends Exception {

    private final Reply reply;
    private final boolean permanent;

    /**
     * @param reply     what the server answered ({@code 421}, {@code 554}, ...) or a reply made here
     * @param permanent whether every host would answer the same (e.g. a 5xx), or only this one now
     */
    public HostRefusedException(String message, Reply reply, boolean permanent) {
        super(message);
        this.reply = reply;
        this.permanent = permanent;
    }

    public Reply reply() {
        return reply;
    }

    public boolean permanent() {
        return permanent;
    }
}
