package org.postlet.mailet;

import jakarta.mail.MessagingException;
import java.util.Optional;

/**
 * The usual base of a matcher: keeps the configuration and its condition. Override
 * {@link #init()} to parse the condition and {@link #match(Mail)} to select recipients.
 */
public abstract class GenericMatcher implements Matcher {

    private MatcherConfig config;

    @Override
    public final void init(MatcherConfig config) throws MessagingException {
        this.config = config;
        init();
    }

    /** Parses the condition; called once after the configuration is set. */
    public void init() throws MessagingException {
    }

    /** The configuration given at {@link #init(MatcherConfig)}. */
    public MatcherConfig getMatcherConfig() {
        if (config == null) {
            throw new IllegalStateException(getClass().getName() + " is used before init(MatcherConfig)");
        }
        return config;
    }

    /** The server context. */
    public MailetContext getMailetContext() {
        return getMatcherConfig().context();
    }

    /** The condition after {@code =}, if any. */
    public Optional<String> getCondition() {
        return getMatcherConfig().condition();
    }

    /**
     * The condition, which this matcher needs.
     *
     * @throws MailetException naming the matcher, so start-up fails with a clear message
     */
    public String getRequiredCondition() throws MailetException {
        return getCondition().filter(c -> !c.isBlank()).orElseThrow(() -> new MailetException(
                getMatcherConfig().matcherName() + " needs a condition — write " + getMatcherConfig().matcherName() + "=<condition>"));
    }

    @Override
    public String info() {
        if (config == null) {
            return getClass().getSimpleName();
        }
        return config.matcherName() + config.condition().map(c -> "=" + c).orElse("");
    }
}
