package org.postlet.mailets.auth;

import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Optional;
import org.postlet.auth.dkim.DkimKeys;
import org.postlet.auth.dkim.DkimSigner;
import org.postlet.auth.message.RawMessage;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailets.Messages;
import org.postlet.mailets.repository.ConfigDirectory;

/**
 * Signs the message with DKIM (RFC 6376; rsa-sha256 or ed25519-sha256 by the key's type,
 * relaxed/relaxed) and puts the {@code DKIM-Signature:} on top. The key is read once at start.
 */
@ComponentDoc(summary = "Signs the message with DKIM (RFC 6376): relaxed/relaxed, rsa-sha256 with an RSA key or"
        + " ed25519-sha256 (RFC 8463) with an Ed25519 key, and puts the `DKIM-Signature:` field on top. Signs From"
        + " (once more than present, so no From can be added), Reply-To, Subject, Date, To, Cc, Message-ID,"
        + " In-Reply-To, References, the MIME fields and the List-* fields. Make the key and its DNS record with"
        + " `bin/postlet dkim keygen`. Place it last before delivery: later changes to the message break the signature.",
        example = "{ match: All, class: DkimSign, domain: example.test, selector: s2026 }")
@MailetParameter(name = "domain", required = true, description = "The signing domain (`d=`); DMARC wants the"
        + " domain of the From address or its parent.", example = "example.test")
@MailetParameter(name = "selector", required = true, description = "The selector (`s=`): the key's DNS record is"
        + " `<selector>._domainkey.<domain>`.", example = "s2026")
@MailetParameter(name = "key", description = "The private key, a PKCS#8 PEM file, relative to the configuration"
        + " folder; default `dkim/<domain>.<selector>.pem`.", example = "dkim/example.test.s2026.pem")
@MailetParameter(name = "required", description = "`false`: when the key file does not exist, mail passes"
        + " unsigned (a warning is logged at start), so a pipeline can sign as soon as a key is made and the"
        + " pipeline reloaded; default `true`, a missing key is a configuration error.", example = "false")
public final class DkimSign extends GenericMailet {

    private final Path configDirectory;
    private final Clock clock;
    private Optional<DkimSigner> signer;

    @Inject
    public DkimSign(@ConfigDirectory Path configDirectory, Clock clock) {
        this.configDirectory = configDirectory;
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        String domain = getRequiredParameter("domain").strip().toLowerCase(java.util.Locale.ROOT);
        String selector = getRequiredParameter("selector").strip();
        if (!domain.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?") || !selector.matches("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")) {
            throw new MailetException("DkimSign: domain '" + domain + "' or selector '" + selector
                    + "' is not a DNS name — write e.g. domain: example.test, selector: s2026");
        }
        Path key = configDirectory.resolve(getInitParameter("key").orElse("dkim/" + domain + "." + selector + ".pem")).normalize();
        if (!Files.exists(key) && !getBooleanParameter("required", true)) {
            getMailetContext().logger().warn("DkimSign: no key {}; mail from this step goes out unsigned until it is made"
                    + " (bin/postlet dkim keygen --domain {} --selector {}) and the pipeline reloaded", key, domain, selector);
            signer = Optional.empty();
            return;
        }
        try {
            signer = Optional.of(new DkimSigner(domain, selector, DkimKeys.readPrivateKey(key)));
        } catch (IOException e) {
            throw new MailetException("DkimSign: cannot read the key " + key + " (" + e.getMessage() + ") — make it with"
                    + " bin/postlet dkim keygen --domain " + domain + " --selector " + selector
                    + ", or set required: false to send unsigned until then", e);
        } catch (DkimKeys.InvalidDkimKeyException e) {
            throw new MailetException("DkimSign: " + e.getMessage(), e);
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (signer.isEmpty()) {
            return;
        }
        RawMessage message = RawMessage.parse(Messages.bytes(mail));
        String field;
        try {
            field = signer.get().sign(message, clock.instant());
        } catch (GeneralSecurityException e) {
            throw new MailetException("DkimSign: the key cannot sign: " + e.getMessage(), e);
        }
        TopHeaders.prepend(mail.message(), field, line -> false);
    }

    @Override
    public String info() {
        return "DkimSign " + signer.map(s -> s.domain() + " " + s.selector()).orElse("(no key)");
    }
}
