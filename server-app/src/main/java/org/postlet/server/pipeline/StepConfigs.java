package org.postlet.server.pipeline;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.postlet.mailet.MailetConfig;
import org.postlet.mailet.MailetContext;
import org.postlet.mailet.MatcherConfig;

/** The configurations the engine hands to mailets and matchers. */
final class StepConfigs {

    private StepConfigs() {
    }

    record Mailet(String mailetName, Map<String, String> parameters, MailetContext context) implements MailetConfig {
        @Override
        public Optional<String> initParameter(String name) {
            return Optional.ofNullable(parameters.get(name));
        }

        @Override
        public Set<String> initParameterNames() {
            return parameters.keySet();
        }
    }

    record Matcher(String matcherName, Optional<String> condition, MailetContext context) implements MatcherConfig {
    }
}
