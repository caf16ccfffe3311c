package org.postlet.server.smtp;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.postlet.auth.AuthenticationVerdicts;
import org.postlet.auth.MailAuthenticator;
import org.postlet.auth.dkim.DkimResult;
import org.postlet.auth.dmarc.DmarcPolicy;
import org.postlet.auth.dmarc.DmarcResult;
import org.postlet.auth.message.RawMessage;
import org.postlet.auth.spf.SpfResult;
import org.postlet.mailet.IpNetwork;
import org.postlet.mailet.MailAddress;
import org.postlet.smtp.inbound.Envelope;
import org.postlet.smtp.policy.MessageCheck;
import org.postlet.smtp.policy.Verdict;

/**
 * {@code smtp.dmarcReject}: refuses, at the end of DATA, mail that fails DMARC when the From domain
 * asks for {@code p=reject}. Clients that authenticated or sit in {@code smtp.authorizedNetworks}
 * send on the domain's behalf (a web application relaying through us, say) and are not checked. When a DNS error may be what made it
 * fail (SPF or a DKIM key temporarily unavailable), the mail is deferred with 451 4.7.0 instead:
 * a 550 must rest on answers, not on their absence. A DMARC policy that cannot be fetched lets the
 * mail in; the pipeline's AuthenticationResults records the temperror.
 */
public final class DmarcRejection implements MessageCheck, AutoCloseable {

    private final MailAuthenticator authenticator;
    private final OwnClients own;
    // DNS queries block; a few threads keep them off the event loop.
    private final ExecutorService lookups = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "postlet-dmarc");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param trusted the networks whose clients are not checked ({@code smtp.authorizedNetworks})
     */
    public DmarcRejection(MailAuthenticator authenticator, List<IpNetwork> trusted) {
        this.authenticator = authenticator;
        this.own = new OwnClients(trusted);
    }

    @Override
    public CompletionStage<Verdict> check(Envelope envelope, byte[] message) {
        if (own.sent(envelope)) {
            return CompletableFuture.completedFuture(Verdict.accept()); // our own users' and networks' mail
        }
        return CompletableFuture.supplyAsync(() -> decide(envelope, message), lookups);
    }

    private Verdict decide(Envelope envelope, byte[] message) {
        InetAddress client = envelope.client().getAddress();
        AuthenticationVerdicts v = authenticator.check(RawMessage.parse(message), client,
                envelope.sender().map(MailAddress::toString), envelope.heloName());
        if (v.dmarc().result() != DmarcResult.FAIL || v.dmarc().disposition() != DmarcPolicy.REJECT) {
            return Verdict.accept();
        }
        boolean dnsTrouble = v.spf().result() == SpfResult.TEMPERROR
                || v.dkim().stream().anyMatch(d -> d.result() == DkimResult.TEMPERROR);
        if (dnsTrouble) {
            return Verdict.defer(451, "4.7.0", "Temporary authentication failure: DNS lookups for SPF or DKIM failed,"
                    + " try again later");
        }
        return Verdict.reject(550, "5.7.1", "Email rejected per DMARC policy for " + v.dmarc().fromDomain());
    }

    @Override
    public void close() throws InterruptedException {
        lookups.shutdownNow();
        lookups.awaitTermination(5, TimeUnit.SECONDS);
    }
}
