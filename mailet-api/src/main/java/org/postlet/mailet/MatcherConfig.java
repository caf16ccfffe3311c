package org.postlet.mailet;

import java.util.Optional;

/** The configuration of one matcher: its condition ({@code Name=condition}) and the server context. */
public interface MatcherConfig {

    /** The matcher's name as written in the pipeline. */
    String matcherName();

    /** The text after {@code =}, if any. */
    Optional<String> condition();

    /** The server this matcher runs in. */
    MailetContext context();
}
