package org.postlet.queue;

/**
 * A lease was ended after the queue had taken it back (it expired, or the connection that held it
 * was lost): the mail will be, or has been, processed again as a possible redelivery.
 */
public final class LeaseExpiredException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public LeaseExpiredException(String id) {
        super("the lease of " + id + " had expired; the mail is processed again as a possible redelivery");
    }
}
