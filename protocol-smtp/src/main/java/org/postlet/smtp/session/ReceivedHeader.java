package org.postlet.smtp.session;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.postlet.mailet.MailAddress;

/**
 * The {@code Received:} trace header the server prepends to every message (RFC 5321 §4.4,
 * RFC 5322 §3.6.7), folded with CRLF + TAB:
 *
 * <pre>
 * Received: from client.example ([192.0.2.1])
 *         (using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256)
 *         by mx.example.test (Postlet) with ESMTPS id 01ABC
 *         for &lt;alice@example.test&gt;; Tue, 2 Jan 2024 10:00:00 +0100
 * </pre>
 *
 * {@code for} names the recipient only when there is exactly one, so a message to several
 * recipients does not disclose the others (Bcc) to each of them. The {@code using} comment is
 * there only when the session was encrypted, as Postfix writes it; the authenticated identity is
 * never written (Postfix's {@code smtpd_sasl_authenticated_header} is off by default too).
 */
final class ReceivedHeader {

    private static final DateTimeFormatter RFC_5322_DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);

    private ReceivedHeader() {
    }

    /**
     * @param protocol the WITH value (RFC 3848): {@code SMTP}, {@code ESMTP}, {@code ESMTPSA}, {@code UTF8SMTP}…
     * @param tls      the TLS protocol and cipher suite, e.g. {@code TLSv1.3 TLS_AES_128_GCM_SHA256}, if encrypted
     * @return the header bytes, ending with CRLF
     */
    static byte[] build(String heloName, InetSocketAddress client, Optional<String> tls, String hostname,
                        String protocol, String queueId, List<MailAddress> recipients, Instant receivedAt, ZoneId zone) {
        StringBuilder header = new StringBuilder(256)
                .append("Received: from ").append(heloName)
                .append(" (").append(addressLiteral(client)).append(")\r\n");
        tls.ifPresent(t -> {
            int space = t.indexOf(' ');
            header.append("\t(using ").append(space < 0 ? t : t.substring(0, space) + " with cipher " + t.substring(space + 1))
                    .append(")\r\n");
        });
        header
                .append("\tby ").append(hostname).append(" (Postlet) with ").append(protocol)
                .append(" id ").append(queueId);
        if (recipients.size() == 1) {
            header.append("\r\n\tfor ").append(recipients.get(0).toPath());
        }
        header.append("; ").append(RFC_5322_DATE.format(receivedAt.atZone(zone))).append("\r\n");
        return header.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]} (RFC 5321 §4.1.3). */
    static String addressLiteral(InetSocketAddress client) {
        InetAddress address = client.getAddress();
        if (address == null) {
            return "[" + client.getHostString() + "]";
        }
        String text = address.getHostAddress();
        int scope = text.indexOf('%');
        if (scope >= 0) {
            text = text.substring(0, scope);
        }
        return address instanceof Inet6Address ? "[IPv6:" + text + "]" : "[" + text + "]";
    }
}
