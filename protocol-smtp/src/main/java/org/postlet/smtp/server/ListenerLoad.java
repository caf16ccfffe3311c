package org.postlet.smtp.server;

/**
 * How busy a listener is, asked by its sessions when they pick a timeout: under stress they use
 * {@link SmtpLimits#stressCommandTimeout()} and {@link SmtpLimits#stressDataTimeout()}, as
 * Postfix's stress mode does, so idle or trickling clients give their slots back sooner.
 */
public interface ListenerLoad {

    /** A listener that is never under stress. */
    ListenerLoad CALM = () -> false;

    /** Whether at least {@value SmtpLimits#STRESS_PERCENT}% of the listener's connection limit is open. */
    boolean underStress();
}
