package org.postlet.outbound.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSocketFactory;

/**
 * An SMTP conversation on one connection, in the order RFC 5321 fixes: greeting, EHLO (HELO when
 * refused), STARTTLS by the {@link TlsPolicy}, then any number of transactions (MAIL, RCPT..., DATA)
 * separated by RSET, then QUIT. With PIPELINING, MAIL, the RCPTs and DATA go out in one write.
 * When the server offers CHUNKING the message goes in BDAT chunks instead of after DATA.
 */
public final class SmtpSession implements AutoCloseable {

    private final SmtpConnection connection;
    private Extensions extensions = Extensions.NONE;

    private SmtpSession(SmtpConnection connection) {
        this.connection = connection;
    }

    /**
     * Greets the server.
     *
     * @param heloName      our host name for EHLO
     * @param tls           whether and how to use STARTTLS
     * @param opportunistic TLS that checks no certificate (for {@code may} and {@code encrypt})
     * @param verified      TLS that checks the certificate and the host name (for {@code verify})
     * @throws HostRefusedException when the server will not take mail from us now
     * @throws IOException          when the connection fails
     */
    public static SmtpSession start(SmtpConnection connection, String heloName, TlsPolicy tls,
                                    SSLSocketFactory opportunistic, SSLSocketFactory verified)
            throws IOException, HostRefusedException {
        return start(connection, heloName, tls, opportunistic, verified, Optional.empty());
    }

    /**
     * Greets the server, then logs in with {@code login} (AUTH PLAIN, else LOGIN). The password
     * goes only over TLS: a server that did not switch to TLS gets no AUTH, and the mail waits.
     */
    public static SmtpSession start(SmtpConnection connection, String heloName, TlsPolicy tls,
                                    SSLSocketFactory opportunistic, SSLSocketFactory verified, Optional<Login> login)
            throws IOException, HostRefusedException {
        SmtpSession session = greet(connection, heloName, tls, opportunistic, verified);
        if (login.isPresent()) {
            session.authenticate(login.get());
        }
        return session;
    }

    private static SmtpSession greet(SmtpConnection connection, String heloName, TlsPolicy tls,
                                     SSLSocketFactory opportunistic, SSLSocketFactory verified)
            throws IOException, HostRefusedException {
        SmtpSession session = new SmtpSession(connection);
        Reply greeting = connection.read();
        if (greeting.code() != 220) {
            throw new HostRefusedException(connection.describe() + " refused to talk to me: " + greeting, greeting,
                    false);
        }
        session.hello(heloName);
        if (tls == TlsPolicy.NONE) {
            return session;
        }
        if (!session.extensions.offers("STARTTLS")) {
            if (tls == TlsPolicy.MAY) {
                return session;
            }
            throw new HostRefusedException(connection.describe() + " does not offer STARTTLS and TLS is required (tls: "
                    + tls.name().toLowerCase(Locale.ROOT) + ")", new Reply(454, List.of("4.7.5 TLS is required"
                    + " but not offered")), false);
        }
        Reply starttls = connection.command("STARTTLS");
        if (starttls.code() != 220) {
            if (tls == TlsPolicy.MAY) {
                return session;
            }
            throw new HostRefusedException(connection.describe() + " refused STARTTLS: " + starttls, starttls, false);
        }
        connection.startTls(tls == TlsPolicy.VERIFY ? verified : opportunistic, tls == TlsPolicy.VERIFY);
        session.hello(heloName);
        return session;
    }

    private void authenticate(Login login) throws IOException, HostRefusedException {
        if (!connection.encrypted()) {
            throw new HostRefusedException(connection.describe() + " did not switch to TLS, and the password for "
                    + login.user() + " is sent only over TLS", new Reply(454, List.of("4.7.0 TLS needed for AUTH")), false);
        }
        Base64.Encoder b64 = Base64.getEncoder();
        Reply reply;
        if (extensions.auth().contains("PLAIN")) {
            reply = connection.command("AUTH PLAIN " + b64.encodeToString(("\0" + login.user() + "\0" + login.password())
                    .getBytes(StandardCharsets.UTF_8)));
        } else if (extensions.auth().contains("LOGIN")) {
            reply = connection.command("AUTH LOGIN");
            if (reply.code() == 334) {
                reply = connection.command(b64.encodeToString(login.user().getBytes(StandardCharsets.UTF_8)));
            }
            if (reply.code() == 334) {
                reply = connection.command(b64.encodeToString(login.password().getBytes(StandardCharsets.UTF_8)));
            }
        } else {
            throw new HostRefusedException(connection.describe() + " offers no AUTH PLAIN or LOGIN (offers "
                    + extensions.auth() + ")", new Reply(454, List.of("4.7.0 no usable AUTH mechanism")), false);
        }
        if (reply.code() != 235) {
            // Deferred, not bounced: a wrong password is the operator's to fix, and the mail should wait for it.
            throw new HostRefusedException(connection.describe() + " refused the login of " + login.user() + ": " + reply,
                    new Reply(454, List.of("4.7.0 " + reply)), false);
        }
    }

    private void hello(String heloName) throws IOException, HostRefusedException {
        Reply ehlo = connection.command("EHLO " + heloName);
        if (ehlo.code() == 250) {
            extensions = Extensions.of(ehlo);
            return;
        }
        if (ehlo.code() == 421) {
            throw new HostRefusedException(connection.describe() + " refused EHLO: " + ehlo, ehlo, false);
        }
        Reply helo = connection.command("HELO " + heloName);
        if (helo.code() != 250) {
            throw new HostRefusedException(connection.describe() + " refused EHLO and HELO: " + helo, helo, false);
        }
        extensions = Extensions.NONE;
    }

    /** What the server offered. */
    public Extensions extensions() {
        return extensions;
    }

    public SmtpConnection connection() {
        return connection;
    }

    /**
     * Sends one message. Every recipient gets the reply that decided its fate: its RCPT reply
     * when refused, otherwise the reply to MAIL, DATA or the end of data (the BDAT chunks: the first
     * refused chunk, else the last one), whichever failed first, else the final 250.
     *
     * @return each recipient's deciding reply, in the message's order
     * @throws IOException when the connection failed before the outcome of every recipient was
     *                     known; recipients may then have been accepted (only after the final dot)
     */
    public Map<String, Reply> send(OutboundMessage message) throws IOException {
        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(message.sender()).append('>');
        if (extensions.offers("SIZE")) {
            mail.append(" SIZE=").append(message.size());
        }
        if (message.eightBit() && extensions.offers("8BITMIME")) {
            mail.append(" BODY=8BITMIME");
        }
        if (message.needsSmtpUtf8()) {
            mail.append(" SMTPUTF8");
        }
        boolean dsn = extensions.offers("DSN");
        if (dsn) {
            message.dsnMail().forEach((k, v) -> mail.append(' ').append(k).append('=').append(v));
        }
        boolean pipelining = extensions.offers("PIPELINING");
        boolean chunking = extensions.offers("CHUNKING");
        Map<String, Reply> outcome = new LinkedHashMap<>();
        List<String> accepted = new ArrayList<>();
        Reply mailReply;
        Reply dataReply = null;
        if (pipelining) {
            connection.send(mail.toString());
            for (String r : message.recipients()) {
                connection.send(rcpt(message, r, dsn));
            }
            if (!chunking) {
                connection.send("DATA");
            }
            connection.flush();
            mailReply = connection.read();
            for (String r : message.recipients()) {
                Reply rcpt = connection.read();
                outcome.put(r, mailReply.positive() ? rcpt : mailReply);
                if (mailReply.positive() && rcpt.positive()) {
                    accepted.add(r);
                }
            }
            if (!chunking) {
                dataReply = connection.read();
            }
        } else {
            mailReply = connection.command(mail.toString());
            if (!mailReply.positive()) {
                message.recipients().forEach(r -> outcome.put(r, mailReply));
                return outcome;
            }
            for (String r : message.recipients()) {
                Reply rcpt = connection.command(rcpt(message, r, dsn));
                outcome.put(r, rcpt);
                if (rcpt.positive()) {
                    accepted.add(r);
                }
            }
            if (accepted.isEmpty()) {
                return outcome;
            }
            if (!chunking) {
                dataReply = connection.command("DATA");
            }
        }
        boolean downgrade = message.eightBit() && !extensions.offers("8BITMIME");
        OutboundMessage.Body content = downgrade ? message.sevenBit() : message.body();
        if (chunking) {
            // Nothing was sent for the message yet, so a transaction without recipients simply ends (RSET).
            if (!accepted.isEmpty()) {
                Reply end = sendChunked(content, pipelining, message.size());
                accepted.forEach(r -> outcome.put(r, end));
            }
            return outcome;
        }
        Reply dataAnswer = dataReply;
        if (dataAnswer.code() != 354) {
            accepted.forEach(r -> outcome.put(r, dataAnswer));
            return outcome;
        }
        DotStuffingOutputStream body = new DotStuffingOutputStream(connection.body());
        if (!accepted.isEmpty()) {
            content.writeTo(body);
        }
        // With PIPELINING and no recipient accepted, a server that still says 354 gets an empty message
        // (RFC 2920 §3.1), whose reply is then ignored: nobody receives it.
        body.finish();
        Reply end = connection.read();
        accepted.forEach(r -> outcome.put(r, end));
        return outcome;
    }

    /**
     * Sends the message in BDAT chunks (RFC 3030), its lines ending in CRLF as after DATA (a bare CR
     * or LF must not reach a receiver that reads it as a line end), without dot-stuffing.
     *
     * @return the reply that decides the message
     */
    private Reply sendChunked(OutboundMessage.Body content, boolean pipelining, long size) throws IOException {
        // A small message gets a buffer of about its size, not a whole chunk: most mail is far below 1 MiB.
        int buffer = (int) Math.min(BdatOutputStream.CHUNK_SIZE, Math.max(8192, size + size / 16));
        BdatOutputStream chunks = new BdatOutputStream(connection, pipelining, buffer);
        CrlfOutputStream lines = new CrlfOutputStream(chunks);
        try {
            content.writeTo(lines);
            lines.endLine();
        } catch (IOException e) {
            if (chunks.refusal() == null) {
                throw e;
            }
            // The remote refused a chunk: its reply decides, and the transaction ends with RSET.
        }
        return chunks.finish();
    }

    private static String rcpt(OutboundMessage message, String recipient, boolean dsn) {
        StringBuilder rcpt = new StringBuilder("RCPT TO:<").append(recipient).append('>');
        if (dsn) {
            message.dsnRecipients().getOrDefault(recipient, Map.of())
                    .forEach((k, v) -> rcpt.append(' ').append(k).append('=').append(v));
        }
        return rcpt.toString();
    }

    /** Whether the server still answers (NOOP), for a connection that was idle. */
    public boolean alive() {
        try {
            return connection.command("NOOP").code() == 250;
        } catch (IOException e) {
            return false;
        }
    }

    /** Ends a transaction so that the connection can carry another; false when the server refuses. */
    public boolean reset() {
        try {
            return connection.command("RSET").code() == 250;
        } catch (IOException e) {
            return false;
        }
    }

    /** Says QUIT (politely, ignoring a broken connection) and closes. */
    @Override
    public void close() {
        try {
            connection.command("QUIT");
        } catch (IOException e) {
            // The connection is going away either way; the messages' outcomes are already known.
        }
        try {
            connection.close();
        } catch (IOException e) {
            // Closing a socket that failed cannot lose anything.
        }
    }
}
