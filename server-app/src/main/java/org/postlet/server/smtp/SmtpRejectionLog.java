package org.postlet.server.smtp;

import org.postlet.smtp.server.SmtpEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one log line per refused SMTP command and per client lost in the middle of its message,
 * in the form Postfix operators grep for:
 *
 * <pre>
 * NOQUEUE: reject: RCPT from [192.0.2.1]: 550 5.1.1 &lt;x@example.test&gt;: Recipient address rejected: User unknown; from=&lt;a@b.example&gt; to=&lt;x@example.test&gt; proto=ESMTP helo=&lt;client.example&gt; listener=mx
 * lost connection after DATA from [192.0.2.1] on mx
 * </pre>
 */
public final class SmtpRejectionLog implements SmtpEvents {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpRejectionLog.class);

    @Override
    public void rejected(Rejection r) {
        StringBuilder line = new StringBuilder(200)
                .append("NOQUEUE: reject: ").append(r.stage()).append(" from ").append(r.client()).append(": ")
                .append(r.code()).append(' ');
        if (!r.enhancedCode().isEmpty()) {
            line.append(r.enhancedCode()).append(' ');
        }
        line.append(r.text()).append(';');
        r.sender().ifPresent(s -> line.append(" from=").append(s));
        r.recipient().ifPresent(t -> line.append(" to=").append(t));
        line.append(" proto=").append(r.protocol()).append(" helo=<").append(r.helo()).append("> listener=").append(r.listener());
        LOG.info("{}", line);
    }

    @Override
    public void connectionLost(String listener, String client, String after) {
        LOG.info("lost connection after {} from {} on {}", after, client, listener);
    }
}
