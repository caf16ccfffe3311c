package org.postlet.outbound.client;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One message to send in one SMTP transaction.
 *
 * @param sender        the envelope sender, empty for the null sender {@code <>}
 * @param recipients    the recipients' addresses
 * @param size          the message's size in bytes, declared with SIZE
 * @param eightBit      whether the message has bytes above 127 (declared as {@code BODY=8BITMIME})
 * @param needsSmtpUtf8 whether an address is not ASCII, which needs SMTPUTF8 (RFC 6531)
 * @param body          writes the message (header and body) with any line endings
 * @param sevenBit      writes the message with its 8-bit parts re-encoded (quoted-printable or base64),
 *                      for a server without 8BITMIME (RFC 6152 §3); only asked when needed
 * @param dsnMail       the sender's RFC 3461 {@code RET} and {@code ENVID}, passed on to a server that offers DSN
 * @param dsnRecipients each recipient's {@code NOTIFY} and {@code ORCPT}, likewise
 */
public record OutboundMessage(String sender, List<String> recipients, long size, boolean eightBit, boolean needsSmtpUtf8,
                              Body body, Body sevenBit, Map<String, String> dsnMail,
                              Map<String, Map<String, String>> dsnRecipients) {

    public OutboundMessage {
        recipients = List.copyOf(recipients);
        // In order: parameters go out as the client gave them.
        dsnMail = Collections.unmodifiableMap(new LinkedHashMap<>(dsnMail));
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        dsnRecipients.forEach((r, p) -> copy.put(r, Collections.unmodifiableMap(new LinkedHashMap<>(p))));
        dsnRecipients = Collections.unmodifiableMap(copy);
    }

    /** A message without DSN request. */
    public OutboundMessage(String sender, List<String> recipients, long size, boolean eightBit, boolean needsSmtpUtf8,
                           Body body, Body sevenBit) {
        this(sender, recipients, size, eightBit, needsSmtpUtf8, body, sevenBit, Map.of(), Map.of());
    }

    /** A message that is already 7-bit, or whose 8-bit content is to be sent as it is, without DSN request. */
    public OutboundMessage(String sender, List<String> recipients, long size, boolean eightBit, boolean needsSmtpUtf8,
                           Body body) {
        this(sender, recipients, size, eightBit, needsSmtpUtf8, body, body);
    }

    /** The message's bytes, written on demand so a large message is never held in memory. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }
}
