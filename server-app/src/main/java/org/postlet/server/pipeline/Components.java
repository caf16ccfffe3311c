package org.postlet.server.pipeline;

import java.security.CodeSource;
import java.util.Collection;
import java.util.Map;
import com.google.inject.ConfigurationException;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import com.google.inject.spi.Message;
import org.postlet.mailet.Mailet;
import org.postlet.mailet.Matcher;
import org.postlet.mailets.StandardComponents;
import org.postlet.server.config.Suggestion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and creates mailets and matchers. A simple name is looked up in the standard catalog
 * only, never guessed against package prefixes; a fully qualified name is loaded from the
 * server's class path or a jar in {@code lib/ext}. Instances come from Guice, so their
 * constructors may {@code @Inject} server services.
 */
final class Components {

    private static final Logger LOG = LoggerFactory.getLogger(Components.class);

    private final Injector injector;
    private final ClassLoader extensions;

    Components(Injector injector, ClassLoader extensions) {
        this.injector = injector;
        this.extensions = extensions;
    }

    /** A component that cannot be found or created; the message says which and why. */
    static final class ComponentException extends Exception {
        private final String fix;

        ComponentException(String message, String fix) {
            super(message);
            this.fix = fix;
        }

        String fix() {
            return fix;
        }
    }

    Mailet newMailet(String name) throws ComponentException {
        return create(resolve(name, "mailet", Mailet.class, StandardComponents.MAILETS, StandardComponents.MATCHERS));
    }

    Matcher newMatcher(String name) throws ComponentException {
        return create(resolve(name, "matcher", Matcher.class, StandardComponents.MATCHERS, StandardComponents.MAILETS));
    }

    private <T> Class<? extends T> resolve(String name, String kind, Class<T> type, Map<String, ? extends Class<?>> standard,
                                           Map<String, ? extends Class<?>> otherKind) throws ComponentException {
        if (!name.contains(".")) {
            Class<?> c = standard.get(name);
            if (c == null) {
                String other = kind.equals("mailet") ? "matcher" : "mailet";
                String hint = otherKind.containsKey(name) ? name + " is a " + other + ", not a " + kind + "; "
                        : Suggestion.closest(name, standard.keySet()).map(s -> "did you mean " + s + "? ").orElse("");
                throw new ComponentException("unknown " + kind + " '" + name + "'",
                        hint + "use a standard " + kind + " (listed in docs/mailets.md) or a fully qualified class name"
                                + " from a jar in lib/ext");
            }
            return c.asSubclass(type);
        }
        Class<?> c;
        try {
            c = Class.forName(name, false, extensions);
        } catch (ClassNotFoundException | LinkageError e) {
            String simple = name.substring(name.lastIndexOf('.') + 1);
            String fix = standard.containsKey(simple) && !name.startsWith("org.postlet.mailets.")
                    ? "put the jar that holds it into lib/ext, or write just " + simple + " for the standard " + kind
                    : standard.containsKey(simple) ? "write just " + simple + ": standard " + kind + "s are named by their simple name"
                    : "put the jar that holds it into lib/ext or correct the name";
            throw new ComponentException(kind + " class " + name + " is not on the class path nor in lib/ext ("
                    + e.getClass().getSimpleName() + ")", fix);
        }
        if (!type.isAssignableFrom(c)) {
            throw new ComponentException(name + " is not a " + kind, "name a class that implements " + type.getName());
        }
        CodeSource source = c.getProtectionDomain().getCodeSource();
        LOG.info("{} {} loaded from {}", kind, name, source == null ? "the server" : source.getLocation());
        return c.asSubclass(type);
    }

    private <T> T create(Class<? extends T> c) throws ComponentException {
        try {
            return injector.getInstance(c);
        } catch (ConfigurationException e) {
            throw cannotCreate(c, e.getErrorMessages());
        } catch (ProvisionException e) {
            throw cannotCreate(c, e.getErrorMessages());
        }
    }

    private static ComponentException cannotCreate(Class<?> c, Collection<Message> errors) {
        String reason = errors.isEmpty() ? "unknown reason" : errors.iterator().next().getMessage();
        return new ComponentException("cannot create " + c.getName() + ": " + reason,
                "give it a public no-argument constructor or an @Inject constructor of server services");
    }
}
