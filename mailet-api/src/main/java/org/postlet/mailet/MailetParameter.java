package org.postlet.mailet;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares one parameter a mailet accepts. A mailet that declares its parameters (with this or
 * {@link ComponentDoc}) has every other parameter of its pipeline step reported by
 * {@code bin/postlet check} as unknown, so a typo such as {@code foldr} is caught before start-up
 * instead of being silently ignored. Mailets that declare nothing are not checked.
 *
 * <pre>{@code
 * @MailetParameter(name = "folder", description = "Maildir++ folder instead of the INBOX", example = "Junk")
 * public final class LocalDelivery extends GenericMailet { ... }
 * }</pre>
 *
 * <p>Declaring does not read the value: {@code init()} still reads and validates it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(MailetParameter.List.class)
public @interface MailetParameter {

    /** The parameter's key in the pipeline step. */
    String name();

    /** Whether a step must give it; {@code init()} is still what enforces it. */
    boolean required() default false;

    /** What it does, its syntax and its default, in one or two sentences. */
    String description();

    /** A typical value, shown in the generated reference; empty for none. */
    String example() default "";

    /** Holds several {@link MailetParameter}s; written implicitly by repeating the annotation. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List {
        /** The declared parameters. */
        MailetParameter[] value();
    }
}
