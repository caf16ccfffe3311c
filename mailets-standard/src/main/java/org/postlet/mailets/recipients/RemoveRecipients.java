package org.postlet.mailets.recipients;

import jakarta.mail.MessagingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailets.Values;

/** Removes recipients without bouncing, logging each: the recipient filtering step. */
@ComponentDoc(summary = "Removes recipients from the mail without a bounce and logs each one. With `addresses` or"
        + " `regex` only those recipients (of the ones the matcher selected) are removed; with neither, all that"
        + " the matcher selected are. A mail left without recipients ends.",
        example = "{ match: All, class: RemoveRecipients, regex: \"^(noreply|no-reply)@.*$\" }")
@MailetParameter(name = "addresses", description = "A comma-separated list of addresses to remove.",
        example = "old-list@example.test")
@MailetParameter(name = "regex", description = "A Java regular expression; recipients (`local@domain`) that match it"
        + " in full are removed.", example = "^noreply@.*$")
public final class RemoveRecipients extends GenericMailet {

    private Optional<Set<MailAddress>> addresses;
    private Optional<Pattern> regex;

    @Override
    public void init() throws MessagingException {
        Optional<String> list = getInitParameter("addresses");
        addresses = list.isEmpty() ? Optional.empty()
                : Optional.of(Set.copyOf(Values.addresses("RemoveRecipients parameter 'addresses'", list.get())));
        Optional<String> re = getInitParameter("regex");
        regex = re.isEmpty() ? Optional.empty() : Optional.of(Values.regex("RemoveRecipients parameter 'regex'", re.get()));
    }

    @Override
    public void service(Mail mail) {
        List<MailAddress> kept = new ArrayList<>();
        List<MailAddress> removed = new ArrayList<>();
        for (MailAddress r : mail.recipients()) {
            (removes(r) ? removed : kept).add(r);
        }
        if (removed.isEmpty()) {
            return;
        }
        getMailetContext().logger().info("{}: removed recipient(s) {} (from={})", mail.name(), removed,
                mail.sender().map(MailAddress::toPath).orElse("<>"));
        mail.setRecipients(kept);
        if (kept.isEmpty()) {
            mail.setState(ProcessingState.GHOST);
        }
    }

    private boolean removes(MailAddress r) {
        if (addresses.isEmpty() && regex.isEmpty()) {
            return true;
        }
        return addresses.map(a -> a.contains(r)).orElse(false)
                || regex.map(p -> p.matcher(r.toString()).matches()).orElse(false);
    }
}
