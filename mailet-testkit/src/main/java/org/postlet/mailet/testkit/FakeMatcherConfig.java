package org.postlet.mailet.testkit;

import java.util.Objects;
import java.util.Optional;
import org.postlet.mailet.MailetContext;
import org.postlet.mailet.MatcherConfig;

/**
 * A {@link MatcherConfig} for unit tests: what {@code match: Name=condition} in a pipeline gives.
 *
 * <pre>{@code
 * matcher.init(FakeMatcherConfig.builder().matcherName("SenderIs").condition("boss@example.test").build());
 * }</pre>
 *
 * <p>Without {@link Builder#context}, the matcher gets a fresh {@link RecordingMailetContext}.
 */
public final class FakeMatcherConfig implements MatcherConfig {

    private final String matcherName;
    private final Optional<String> condition;
    private final MailetContext context;

    private FakeMatcherConfig(Builder b) {
        this.matcherName = b.matcherName;
        this.condition = b.condition;
        this.context = b.context == null ? RecordingMailetContext.builder().build() : b.context;
    }

    /** Starts a config; the defaults are the name {@code TestMatcher}, no condition and a fresh recording context. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link FakeMatcherConfig}. */
    public static final class Builder {
        private String matcherName = "TestMatcher";
        private Optional<String> condition = Optional.empty();
        private MailetContext context;

        private Builder() {
        }

        /** The name before {@code =} in the pipeline; it shows in the matcher's error messages. */
        public Builder matcherName(String name) {
            this.matcherName = Objects.requireNonNull(name, "matcherName");
            return this;
        }

        /** The text after {@code =}, without the quotes a pipeline may put around it. */
        public Builder condition(String condition) {
            this.condition = Optional.of(Objects.requireNonNull(condition, "condition"));
            return this;
        }

        /** The server context the matcher sees. */
        public Builder context(MailetContext context) {
            this.context = Objects.requireNonNull(context, "context");
            return this;
        }

        /** Builds the config. */
        public FakeMatcherConfig build() {
            return new FakeMatcherConfig(this);
        }
    }

    @Override
    public String matcherName() {
        return matcherName;
    }

    @Override
    public Optional<String> condition() {
        return condition;
    }

    @Override
    public MailetContext context() {
        return context;
    }

    @Override
    public String toString() {
        return matcherName + condition.map(c -> "=" + c).orElse("");
    }
}
