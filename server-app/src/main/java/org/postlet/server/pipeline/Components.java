package org.postlet.server.pipeline;

import com.google.inject.ConfigurationException;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import com.google.inject.spi.Message;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;
import org.postlet.mailet.Mailet;
import org.postlet.mailet.Matcher;
import org.postlet.mailets.StandardComponents;
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
        return create(resolve(name, "mailet", Mailet.class, StandardComponents.MAILETS));
    }

    Matcher newMatcher(String name) throws ComponentException {
        return create(resolve(name, "matcher", Matcher.class, StandardComponents.MATCHERS));
    }

    private <T> Class<? extends T> resolve(String name, String kind, Class<T> type,
                                           Map<String, Class<? extends T>> standard) throws ComponentException {
        if (!name.contains(".")) {
            Class<? extends T> c = standard.get(name);
            if (c == null) {
                throw new ComponentException("unknown " + kind + " '" + name + "'",
                        "use a standard " + kind + " (" + String.join(", ", new TreeSet<>(standard.keySet()))
                                + ") or a fully qualified class name from a jar in lib/ext");
            }
            return c;
        }
        Class<?> c;
        try {
            c = Class.forName(name, false, extensions);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ComponentException("class " + name + " is not on the class path (" + e + ")",
                    "put the jar that holds it into lib/ext or correct the name");
        }
        if (!type.isAssignableFrom(c)) {
            throw new ComponentException(name + " is not a " + kind, "name a class that implements " + type.getName());
        }
        java.security.CodeSource source = c.getProtectionDomain().getCodeSource();
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
