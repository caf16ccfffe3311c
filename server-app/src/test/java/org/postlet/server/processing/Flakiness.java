package org.postlet.server.processing;

import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicInteger;

/** How many more times {@link FlakyMailet} fails; shared through the test's injector. */
@Singleton
public final class Flakiness {
    final AtomicInteger failuresLeft = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();
}
