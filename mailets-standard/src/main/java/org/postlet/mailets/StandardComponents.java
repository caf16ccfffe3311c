package org.postlet.mailets;

import java.util.Map;
import org.postlet.mailet.Mailet;
import org.postlet.mailet.Matcher;
import org.postlet.mailets.delivery.LocalDelivery;
import org.postlet.mailets.flow.Null;
import org.postlet.mailets.flow.ToProcessor;
import org.postlet.mailets.logging.LogMessage;
import org.postlet.mailets.matchers.All;
import org.postlet.mailets.matchers.RecipientIsLocal;
import org.postlet.mailets.repository.ToRepository;

/**
 * The catalog of simple names a pipeline may use for shipped components. A name resolves only
 * through these maps, never by guessing package prefixes, so there is one class per name.
 */
public final class StandardComponents {

    /** Shipped mailets by the simple name used in {@code class:}. */
    public static final Map<String, Class<? extends Mailet>> MAILETS = Map.of(
            "LogMessage", LogMessage.class,
            "LocalDelivery", LocalDelivery.class,
            "ToProcessor", ToProcessor.class,
            "Null", Null.class,
            "ToRepository", ToRepository.class);

    /** Shipped matchers by the simple name used in {@code match:}. */
    public static final Map<String, Class<? extends Matcher>> MATCHERS = Map.of(
            "All", All.class,
            "RecipientIsLocal", RecipientIsLocal.class);

    private StandardComponents() {
    }
}
