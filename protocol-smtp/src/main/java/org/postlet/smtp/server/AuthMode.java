package org.postlet.smtp.server;

/** Whether a listener offers or demands SMTP AUTH (RFC 4954). */
public enum AuthMode {
    /** AUTH is not offered. */
    NONE,
    /** AUTH is offered; unauthenticated clients may still send to local recipients. */
    OPTIONAL,
    /** MAIL is refused with 530 5.7.0 until the client has authenticated. */
    REQUIRED
}
