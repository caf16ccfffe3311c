package org.postlet.smtp.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postlet.mailet.MailAddress;
import org.postlet.smtp.inbound.IncomingMessage;

/**
 * One mail transaction, from MAIL FROM to the end of DATA (RFC 5321 §3.3). Mutable, confined to
 * the connection's event loop.
 */
final class Transaction {

    private final Optional<MailAddress> sender;
    private final Map<String, String> mailParameters;
    private final List<Recipient> recipients = new ArrayList<>();
    private IncomingMessage message;
    private java.time.Instant receivedAt;
    private long size;
    private long headerBytes;
    private int overshoot;
    private boolean oversized;
    private boolean writeFailed;

    Transaction(Optional<MailAddress> sender, Map<String, String> mailParameters) {
        this.sender = sender;
        this.mailParameters = Map.copyOf(mailParameters);
    }

    Optional<MailAddress> sender() {
        return sender;
    }

    Map<String, String> mailParameters() {
        return mailParameters;
    }

    List<MailAddress> recipientAddresses() {
        return recipients.stream().map(Recipient::address).toList();
    }

    int recipientCount() {
        return recipients.size();
    }

    /** The parameters of the recipients that had any, by address. */
    Map<MailAddress, Map<String, String>> recipientParameters() {
        Map<MailAddress, Map<String, String>> result = new java.util.LinkedHashMap<>();
        for (Recipient r : recipients) {
            if (!r.parameters().isEmpty()) {
                result.put(r.address(), r.parameters());
            }
        }
        return result;
    }

    /** Adds a recipient; a repeated address is accepted again but stored once (no double delivery). */
    void addRecipient(Recipient recipient) {
        if (recipients.stream().noneMatch(r -> r.address().equals(recipient.address()))) {
            recipients.add(recipient);
        }
    }

    /** The message being received, or null before DATA and after it was committed or aborted. */
    IncomingMessage message() {
        return message;
    }

    void message(IncomingMessage message) {
        this.message = message;
    }

    /** When the message was opened (DATA or the first BDAT), for the Received header. */
    java.time.Instant receivedAt() {
        return receivedAt;
    }

    void receivedAt(java.time.Instant instant) {
        this.receivedAt = instant;
    }

    /** Message bytes received from the client (after dot-unstuffing, without our Received header). */
    long size() {
        return size;
    }

    void addSize(long bytes) {
        size += bytes;
    }

    /** Counts our {@code Received:} header, written before the client's bytes. */
    void addHeaderBytes(long bytes) {
        headerBytes += bytes;
    }

    /** The message as stored: our {@code Received:} header and the client's bytes; the size logged everywhere. */
    long storedSize() {
        return headerBytes + size;
    }

    /** Counts one more RCPT over the recipient limit. @return how many there were so far, this one included */
    int overshoot() {
        return ++overshoot;
    }

    boolean oversized() {
        return oversized;
    }

    void markOversized() {
        oversized = true;
    }

    boolean writeFailed() {
        return writeFailed;
    }

    void markWriteFailed() {
        writeFailed = true;
    }

    /** Aborts the message if one is open. Safe to call more than once. */
    void abortMessage() {
        if (message != null) {
            IncomingMessage open = message;
            message = null;
            open.abort();
        }
    }
}
