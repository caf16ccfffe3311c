package org.postlet.outbound.client;

import java.io.IOException;

/** The remote server broke the protocol or the connection: the attempt failed, the mail is tried again later. */
public final class SmtpProtocolException extends IOException {

    public SmtpProtocolException(String message) {
        super(message);
    }
}
