package org.postlet.server.processing;

import jakarta.inject.Inject;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.TemporaryFailureException;

/** Fails temporarily while {@link Flakiness#failuresLeft} is positive, like a full disk that frees up. */
public final class FlakyMailet extends GenericMailet {

    private final Flakiness flakiness;

    @Inject
    public FlakyMailet(Flakiness flakiness) {
        this.flakiness = flakiness;
    }

    @Override
    public void service(Mail mail) throws TemporaryFailureException {
        flakiness.calls.incrementAndGet();
        if (flakiness.failuresLeft.getAndDecrement() > 0) {
            throw new TemporaryFailureException("disk full (simulated)");
        }
    }
}
