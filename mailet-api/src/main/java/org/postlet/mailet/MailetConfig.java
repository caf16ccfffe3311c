package org.postlet.mailet;

import java.util.Optional;
import java.util.Set;

/** The configuration of one mailet in a pipeline step: its parameters and the server context. */
public interface MailetConfig {

    /** The name the mailet was configured under ({@code class:} in the pipeline). */
    String mailetName();

    /** A parameter from the pipeline step, if it was given. */
    Optional<String> initParameter(String name);

    /** The names of all parameters given. */
    Set<String> initParameterNames();

    /** The server this mailet runs in. */
    MailetContext context();
}
