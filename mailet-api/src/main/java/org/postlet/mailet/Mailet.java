package org.postlet.mailet;

import jakarta.mail.MessagingException;

/**
 * One step of work on a mail: log it, change it, deliver it, bounce it. The server creates each
 * mailet once per pipeline step (through Guice, so a constructor may {@code @Inject} server
 * services), calls {@link #init} once, then {@link #service} for every mail the step's matcher
 * selects, possibly from several threads at once.
 *
 * <p>Most mailets extend {@link GenericMailet} instead of implementing this directly.
 */
public interface Mailet {

    /**
     * Called once before the first mail. Throw {@link MailetException} for a bad configuration;
     * the server then refuses to start and reports the message.
     */
    default void init(MailetConfig config) throws MessagingException {
    }

    /**
     * Acts on a mail. To send the mail elsewhere, set its state; to end processing, set
     * {@link ProcessingState#GHOST}. A thrown exception sends the mail to the step's
     * {@code onMailetException} target, by default the error processor.
     */
    void service(Mail mail) throws MessagingException;

    /** Called once when the pipeline is taken down. */
    default void destroy() {
    }

    /** One line for logs and {@code bin/postlet trace}: what this mailet does. */
    default String info() {
        return getClass().getSimpleName();
    }
}
