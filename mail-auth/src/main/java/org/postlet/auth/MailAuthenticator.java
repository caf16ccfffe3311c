package org.postlet.auth;

import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.postlet.auth.dkim.DkimVerdict;
import org.postlet.auth.dkim.DkimVerifier;
import org.postlet.auth.dmarc.DmarcChecker;
import org.postlet.auth.dns.DnsLookup;
import org.postlet.auth.message.RawMessage;
import org.postlet.auth.spf.SpfChecker;
import org.postlet.auth.spf.SpfVerdict;

/** Checks SPF, DKIM and DMARC of a received message: what the pipeline and the SMTP server both ask. */
public final class MailAuthenticator {

    private final SpfChecker spf;
    private final DkimVerifier dkim;
    private final DmarcChecker dmarc;
    private final Clock clock;

    public MailAuthenticator(DnsLookup dns, Clock clock, RandomGenerator random) {
        this.spf = new SpfChecker(dns);
        this.dkim = new DkimVerifier(dns);
        this.dmarc = new DmarcChecker(dns, random);
        this.clock = clock;
    }

    /**
     * @param message the message as received
     * @param client  the SMTP client's address
     * @param sender  the MAIL FROM address, empty for {@code <>}
     * @param helo    the HELO/EHLO name
     */
    public AuthenticationVerdicts check(RawMessage message, InetAddress client, Optional<String> sender, String helo) {
        SpfVerdict s = spf.checkMailFrom(client, sender, helo);
        List<DkimVerdict> d = dkim.verify(message, clock.instant());
        return new AuthenticationVerdicts(s, d, dmarc.check(message, s, d));
    }
}
