package org.postlet.mailets.auth;

import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import org.postlet.auth.AuthenticationVerdicts;
import org.postlet.auth.MailAuthenticator;
import org.postlet.auth.message.RawMessage;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailets.Messages;

/**
 * Checks SPF, DKIM and DMARC and records the verdicts: one RFC 8601 {@code Authentication-Results:}
 * field on top (earlier ones claiming this server's name are removed, since anyone could have
 * written them) and the attributes {@link #SPF}, {@link #DKIM}, {@link #DMARC}, {@link #DMARC_DISPOSITION}.
 */
@ComponentDoc(summary = "Checks the mail's SPF (RFC 7208, the MAIL FROM identity with the client address and HELO"
        + " name the mail was received with), every DKIM signature (RFC 6376) and DMARC (RFC 7489, with the Public"
        + " Suffix List for the organizational domain) through the resolvers of `dns.resolvers`. Prepends one"
        + " `Authentication-Results:` field (RFC 8601) whose authserv-id is the server's `hostname`, removing earlier"
        + " ones that claim that name. Sets the attributes `auth.spf`, `auth.dkim` (pass if any signature passed),"
        + " `auth.dmarc` (each a result such as `pass`, `fail`, `none`, `temperror`) and `auth.dmarc.disposition`"
        + " (`none`, `quarantine` or `reject`: what the From domain asks for this mail), for the matchers SpfResultIs,"
        + " DkimResultIs, DmarcResultIs and DmarcDispositionIs. Run it on inbound mail before anything changes the message;"
        + " mail that did not come over SMTP (a bounce or notice made here, a requeued mail) is left as it is.",
        example = "{ match: \"not SMTPAuthSuccessful\", class: AuthenticationResults }")
public final class AuthenticationResults extends GenericMailet {

    /** The SPF result of the MAIL FROM identity. */
    public static final String SPF = "auth.spf";
    /** The best DKIM result. */
    public static final String DKIM = "auth.dkim";
    /** The DMARC result. */
    public static final String DMARC = "auth.dmarc";
    /** What the From domain's policy asks for this mail. */
    public static final String DMARC_DISPOSITION = "auth.dmarc.disposition";

    private final MailAuthenticator authenticator;

    @Inject
    public AuthenticationResults(MailAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (mail.heloName().isEmpty()) {
            // Made here (a bounce, a notice) or put back from a repository: no SMTP client whose
            // claims there are to check, and an SPF check of "postmaster@" would only mislead.
            return;
        }
        InetAddress client;
        try {
            client = InetAddress.getByName(mail.remoteAddress()); // an address literal: no DNS query
        } catch (UnknownHostException e) {
            throw new MailetException("AuthenticationResults: the client address '" + mail.remoteAddress()
                    + "' of " + mail.name() + " is not an IP address", e);
        }
        RawMessage message = RawMessage.parse(Messages.bytes(mail));
        AuthenticationVerdicts v = authenticator.check(message, client, mail.sender().map(MailAddress::toString), mail.heloName());
        String authservId = getMailetContext().serverHostname();
        TopHeaders.prepend(mail.message(), v.header(authservId), line -> claims(line, authservId));
        mail.setAttribute(SPF, v.spf().result().text());
        mail.setAttribute(DKIM, v.dkimResult().text());
        mail.setAttribute(DMARC, v.dmarc().result().text());
        mail.setAttribute(DMARC_DISPOSITION, v.dmarc().disposition().text());
        getMailetContext().logger().info("{}: spf={} ({}) dkim={} dmarc={} ({}) from {}", mail.name(), v.spf().result().text(),
                v.spf().domain(), v.dkimResult().text(), v.dmarc().result().text(), v.dmarc().reason(), mail.remoteAddress());
    }

    /** Whether a header line is an {@code Authentication-Results:} field naming {@code authservId}. */
    static boolean claims(String line, String authservId) {
        int colon = line.indexOf(':');
        if (colon < 0 || !line.substring(0, colon).strip().equalsIgnoreCase("Authentication-Results")) {
            return false;
        }
        String value = line.substring(colon + 1).replaceAll("\\([^)]*\\)", " ").strip();
        String id = value.split("[;\\s]", 2)[0];
        return id.toLowerCase(Locale.ROOT).equals(authservId.toLowerCase(Locale.ROOT));
    }
}
