package org.postlet.server.pipeline;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;

/**
 * A message parsed from the spool that knows whether a mailet changed it. Parsing and writing a
 * MIME message is not byte-exact (a message without a header/body separator gains one), so an
 * unchanged message is delivered from the stored bytes and only a changed one is rewritten.
 * Every mutator of {@link MimeMessage} funnels through the methods overridden here.
 */
final class SpooledMessage extends MimeMessage {

    private boolean changed;

    SpooledMessage(Session session, InputStream stored) throws MessagingException {
        super(session, stored);
    }

    SpooledMessage(SpooledMessage source) throws MessagingException {
        super(source);
        this.changed = source.changed;
    }

    /** Whether a header or the content was changed since the message was read. */
    boolean changed() {
        return changed;
    }

    @Override
    public void setHeader(String name, String value) throws MessagingException {
        changed = true;
        super.setHeader(name, value);
    }

    @Override
    public void addHeader(String name, String value) throws MessagingException {
        changed = true;
        super.addHeader(name, value);
    }

    @Override
    public void removeHeader(String name) throws MessagingException {
        changed = true;
        super.removeHeader(name);
    }

    @Override
    public void addHeaderLine(String line) throws MessagingException {
        changed = true;
        super.addHeaderLine(line);
    }

    @Override
    public void setDataHandler(DataHandler dh) throws MessagingException {
        changed = true;
        super.setDataHandler(dh);
    }

    @Override
    public void saveChanges() throws MessagingException {
        changed = true;
        super.saveChanges();
    }
}
