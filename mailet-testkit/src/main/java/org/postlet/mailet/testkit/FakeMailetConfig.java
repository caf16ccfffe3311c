package org.postlet.mailet.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.postlet.mailet.MailetConfig;
import org.postlet.mailet.MailetContext;

/**
 * A {@link MailetConfig} for unit tests: the parameters a pipeline step would give, and a context.
 *
 * <pre>{@code
 * mailet.init(FakeMailetConfig.builder().mailetName("Stamp").parameter("stamp", "checked").build());
 * }</pre>
 *
 * <p>Without {@link Builder#context}, the mailet gets a fresh {@link RecordingMailetContext}; pass
 * your own to give it local users or to assert on what it sent and logged.
 */
public final class FakeMailetConfig implements MailetConfig {

    private final String mailetName;
    private final Map<String, String> parameters;
    private final MailetContext context;

    private FakeMailetConfig(Builder b) {
        this.mailetName = b.mailetName;
        this.parameters = Map.copyOf(b.parameters);
        this.context = b.context == null ? RecordingMailetContext.builder().build() : b.context;
    }

    /** Starts a config; the defaults are the name {@code TestMailet}, no parameters and a fresh recording context. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link FakeMailetConfig}. */
    public static final class Builder {
        private String mailetName = "TestMailet";
        private final Map<String, String> parameters = new LinkedHashMap<>();
        private MailetContext context;

        private Builder() {
        }

        /** The name as written in the pipeline's {@code class:}; it shows in the mailet's error messages. */
        public Builder mailetName(String name) {
            this.mailetName = Objects.requireNonNull(name, "mailetName");
            return this;
        }

        /** A parameter, as {@code name: value} in a pipeline step. Values are text, as in the pipeline. */
        public Builder parameter(String name, String value) {
            parameters.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value of " + name));
            return this;
        }

        /** A parameter given as a number, boolean or other value; it reaches the mailet as its text. */
        public Builder parameter(String name, Object value) {
            return parameter(name, String.valueOf(Objects.requireNonNull(value, "value of " + name)));
        }

        /** Several parameters at once. */
        public Builder parameters(Map<String, String> values) {
            values.forEach(this::parameter);
            return this;
        }

        /** The server context the mailet sees. */
        public Builder context(MailetContext context) {
            this.context = Objects.requireNonNull(context, "context");
            return this;
        }

        /** Builds the config. */
        public FakeMailetConfig build() {
            return new FakeMailetConfig(this);
        }
    }

    @Override
    public String mailetName() {
        return mailetName;
    }

    @Override
    public Optional<String> initParameter(String name) {
        return Optional.ofNullable(parameters.get(name));
    }

    @Override
    public Set<String> initParameterNames() {
        return parameters.keySet();
    }

    @Override
    public MailetContext context() {
        return context;
    }

    @Override
    public String toString() {
        return mailetName + " " + parameters;
    }
}
