package org.postlet.smtp.session;

import io.netty.util.NetUtil;
import java.net.IDN;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
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
 *
 * <p>After {@code from} comes what RFC 5321 §4.4 allows there: the HELO name when it is a domain
 * or an address literal, an internationalized name as its A-labels (punycode), and otherwise the
 * client's address literal. Whatever a client says in HELO, no raw 8-bit byte or control
 * character reaches the header.
 */
final class ReceivedHeader {

    static final DateTimeFormatter RFC_5322_DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);

    /** RFC 5321 Domain: sub-domain *("." sub-domain), sub-domain = Let-dig [Ldh-str]. */
    private static final Pattern DOMAIN =
            Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private ReceivedHeader() {
    }

    /**
     * @param protocol the WITH value (RFC 3848): {@code SMTP}, {@code ESMTP}, {@code ESMTPSA}, {@code UTF8SMTP}…
     * @param tls      the TLS protocol and cipher suite, e.g. {@code TLSv1.3 TLS_AES_128_GCM_SHA256}, if encrypted
     * @return the header bytes, ending with CRLF
     */
    static byte[] build(String heloName, String clientLiteral, Optional<String> tls, String hostname,
                        String protocol, String queueId, List<MailAddress> recipients, Instant receivedAt, ZoneId zone) {
        StringBuilder header = new StringBuilder(256)
                .append("Received: from ").append(fromDomain(heloName, clientLiteral))
                .append(" (").append(clientLiteral).append(")\r\n");
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
        header.append("; ");
        appendDate(header, receivedAt.atZone(zone));
        header.append("\r\n");
        return header.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS =
            {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    /**
     * Appends {@code time} as {@link #RFC_5322_DATE} formats it, e.g. {@code Tue, 2 Jan 2024 10:00:00 +0100}.
     * Written out by hand because the formatter showed in the profile of every message; the
     * formatter still does the rare cases it prints differently (years outside 1000-9999, offsets
     * with seconds).
     */
    static void appendDate(StringBuilder b, ZonedDateTime time) {
        int offset = time.getOffset().getTotalSeconds();
        if (time.getYear() < 1000 || time.getYear() > 9999 || offset % 60 != 0) {
            b.append(RFC_5322_DATE.format(time));
            return;
        }
        b.append(DAYS[time.getDayOfWeek().getValue() - 1]).append(", ").append(time.getDayOfMonth()).append(' ')
                .append(MONTHS[time.getMonthValue() - 1]).append(' ').append(time.getYear()).append(' ');
        twoDigits(b, time.getHour()).append(':');
        twoDigits(b, time.getMinute()).append(':');
        twoDigits(b, time.getSecond()).append(' ').append(offset < 0 ? '-' : '+');
        int minutes = Math.abs(offset) / 60;
        twoDigits(b, minutes / 60);
        twoDigits(b, minutes % 60);
    }

    private static StringBuilder twoDigits(StringBuilder b, int value) {
        return b.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    /** The HELO name as an RFC 5321 Domain or address-literal, or the client's address literal if it is neither. */
    static String fromDomain(String heloName, String clientLiteral) {
        if (isAddressLiteral(heloName)) {
            return heloName;
        }
        if (isLdhText(heloName)) {
            // IDN.toASCII returns pure ASCII text unchanged (or refuses a label over 63 characters,
            // which DOMAIN refuses as well), so the usual HELO name skips it and the regular
            // expression: both showed in the profile of every message.
            return heloName.length() <= 255 && isLdhDomain(heloName) ? heloName : clientLiteral;
        }
        try {
            String ascii = IDN.toASCII(heloName, 0);
            if (ascii.length() <= 255 && DOMAIN.matcher(ascii).matches()) {
                return ascii;
            }
        } catch (IllegalArgumentException e) {
            // Not convertible to A-labels: fall through to the address literal.
        }
        return clientLiteral;
    }

    /** Whether {@code text} has only letters, digits, hyphens and dots of US-ASCII. */
    private static boolean isLdhText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #DOMAIN} for text of letters, digits, hyphens and dots only: labels of 1 to 63
     * characters that start and end with a letter or digit, separated by single dots.
     */
    private static boolean isLdhDomain(String text) {
        int labelStart = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i < text.length() && text.charAt(i) != '.') {
                continue;
            }
            int length = i - labelStart;
            if (length < 1 || length > 63 || text.charAt(labelStart) == '-' || text.charAt(i - 1) == '-') {
                return false;
            }
            labelStart = i + 1;
        }
        return true;
    }

    private static boolean isAddressLiteral(String text) {
        if (text.length() < 3 || text.charAt(0) != '[' || text.charAt(text.length() - 1) != ']') {
            return false;
        }
        String inside = text.substring(1, text.length() - 1);
        if (inside.regionMatches(true, 0, "IPv6:", 0, 5)) {
            return NetUtil.isValidIpV6Address(inside.substring(5));
        }
        return NetUtil.isValidIpV4Address(inside);
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
