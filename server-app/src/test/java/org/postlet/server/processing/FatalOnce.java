package org.postlet.server.processing;

import jakarta.inject.Inject;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;

/** Throws an Error (not an Exception) on its first mail, as a broken lib/ext jar or a deep recursion would. */
public final class FatalOnce extends GenericMailet {

    private final Flakiness flakiness;

    @Inject
    public FatalOnce(Flakiness flakiness) {
        this.flakiness = flakiness;
    }

    @Override
    public void service(Mail mail) {
        if (flakiness.failuresLeft.getAndDecrement() > 0) {
            throw new StackOverflowError("simulated");
        }
    }
}
