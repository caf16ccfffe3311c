package org.postlet.mailets.recipients;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailets.Messages;
import org.postlet.mailets.Values;

/** Sends the mail to new recipients, optionally with a new sender, subject prefix and {@code To:}. */
@ComponentDoc(summary = "Sends the message as a new mail (starting in `root`) to new recipients, optionally with a new"
        + " envelope sender, a subject prefix and a rewritten `To:` header, as James's Redirect does. The mail then"
        + " ends, unless `passThrough` is true.",
        example = "{ match: \"RecipientIs=old@example.test\", class: Redirect, recipients: new@example.test, sender: postmaster, subjectPrefix: \"[moved]\" }")
@MailetParameter(name = "recipients", required = true, description = "A comma-separated list of addresses; `sender`"
        + " stands for the envelope sender, `postmaster` for the postmaster.", example = "new@example.test, sender")
@MailetParameter(name = "sender", description = "The new envelope sender: an address, `postmaster`, `null` (the null"
        + " sender `<>`) or `unaltered` (the default).", example = "postmaster")
@MailetParameter(name = "subjectPrefix", description = "Text to put in front of the subject.", example = "[moved]")
@MailetParameter(name = "replaceTo", description = "`true` to set the `To:` header to the new recipients; default"
        + " `false` (the header stays as the sender wrote it).", example = "true")
@MailetParameter(name = "passThrough", description = "`true` to let the mail go on to its original recipients as well;"
        + " default `false`.", example = "false")
public final class Redirect extends GenericMailet {

    /** Who a {@code recipients} item means. */
    private sealed interface Target {
        record Address(MailAddress address) implements Target {
        }

        record Sender() implements Target {
        }

        record Postmaster() implements Target {
        }
    }

    /** The envelope sender of the new mail. */
    private sealed interface NewSender {
        record Unaltered() implements NewSender {
        }

        record Fixed(Optional<MailAddress> address) implements NewSender {
        }

        record Postmaster() implements NewSender {
        }
    }

    private List<Target> recipients;
    private NewSender sender;
    private Optional<String> subjectPrefix;
    private boolean replaceTo;
    private boolean passThrough;

    @Override
    public void init() throws MessagingException {
        recipients = new ArrayList<>();
        for (String item : Values.nonEmptyList("Redirect parameter 'recipients'", getRequiredParameter("recipients"),
                "new@example.test")) {
            recipients.add(switch (item.toLowerCase(Locale.ROOT)) {
                case "sender" -> new Target.Sender();
                case "postmaster" -> new Target.Postmaster();
                default -> new Target.Address(Values.address("Redirect parameter 'recipients'", item));
            });
        }
        String s = getInitParameter("sender", "unaltered").strip();
        sender = switch (s.toLowerCase(Locale.ROOT)) {
            case "unaltered" -> new NewSender.Unaltered();
            case "postmaster" -> new NewSender.Postmaster();
            case "null", "<>" -> new NewSender.Fixed(Optional.empty());
            default -> new NewSender.Fixed(Optional.of(Values.address("Redirect parameter 'sender'", s)));
        };
        subjectPrefix = getInitParameter("subjectPrefix").map(String::strip).filter(p -> !p.isEmpty());
        if (subjectPrefix.isPresent()) {
            Messages.checkHeaderValue("Redirect parameter 'subjectPrefix'", subjectPrefix.get());
        }
        replaceTo = getBooleanParameter("replaceTo", false);
        passThrough = getBooleanParameter("passThrough", false);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Set<MailAddress> to = new LinkedHashSet<>();
        for (Target t : recipients) {
            if (t instanceof Target.Address a) {
                to.add(a.address());
            } else if (t instanceof Target.Postmaster) {
                to.add(getMailetContext().postmaster());
            } else {
                mail.sender().ifPresent(to::add); // nothing to answer for the null sender
            }
        }
        Optional<MailAddress> from;
        if (sender instanceof NewSender.Fixed f) {
            from = f.address();
        } else if (sender instanceof NewSender.Postmaster) {
            from = Optional.of(getMailetContext().postmaster());
        } else {
            from = mail.sender();
        }
        if (to.isEmpty()) {
            getMailetContext().logger().warn("{}: Redirect has no recipient for this mail (null sender?); nothing sent", mail.name());
        } else if (getMailetContext().dryRun()) {
            getMailetContext().logger().info("{}: would redirect to {} from {}", mail.name(), to,
                    from.map(MailAddress::toPath).orElse("<>"));
        } else {
            getMailetContext().sendMail(mail, from, to, rewrite(mail, to), ProcessingState.ROOT);
            getMailetContext().logger().info("{}: redirected {} to {} from {}", mail.name(), mail.recipients(), to,
                    from.map(MailAddress::toPath).orElse("<>"));
        }
        if (!passThrough) {
            mail.setState(ProcessingState.GHOST);
        }
    }

    private MimeMessage rewrite(Mail mail, Set<MailAddress> to) throws MessagingException {
        MimeMessage copy = Messages.copy(mail, getMailetContext());
        if (subjectPrefix.isPresent()) {
            String subject = copy.getSubject();
            copy.setSubject(subject == null ? subjectPrefix.get() : subjectPrefix.get() + " " + subject, "UTF-8");
        }
        if (replaceTo) {
            List<InternetAddress> addresses = new ArrayList<>();
            for (MailAddress a : to) {
                try {
                    addresses.add(new InternetAddress(a.toString()));
                } catch (jakarta.mail.internet.AddressException e) {
                    throw new MailetException("cannot write " + a + " into To: " + e.getMessage(), e);
                }
            }
            copy.setRecipients(Message.RecipientType.TO, addresses.toArray(new InternetAddress[0]));
        }
        return copy;
    }
}
