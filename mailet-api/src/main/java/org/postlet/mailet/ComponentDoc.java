package org.postlet.mailet;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Documents a mailet or matcher for the generated reference ({@code docs/mailets.md}) and marks
 * it as declaring its parameters: a mailet with this annotation accepts only the parameters
 * declared with {@link MailetParameter}, none if there are none.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ComponentDoc {

    /** What the component does, in a few sentences; Markdown is allowed. */
    String summary();

    /**
     * For a matcher: the syntax of its condition (the text after {@code =}), e.g. {@code a list of
     * addresses}; empty when it takes none. Ignored for mailets.
     */
    String condition() default "";

    /** One pipeline step in YAML flow style that uses it, e.g. {@code { match: All, class: Null }}. */
    String example();
}
