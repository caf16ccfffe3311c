package org.postlet.server.pipeline;

import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.GenericMatcher;
import org.postlet.mailet.GenericRecipientMatcher;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.ProcessingState;

/** Mailets and matchers the engine tests load by their fully qualified names. */
public final class TestMailets {

    private TestMailets() {
    }

    /** Records the mail it sees under its {@code id} parameter; with {@code state} it moves the mail there. */
    public static final class Record extends GenericMailet {
        private final Recorder recorder;
        private String id;

        @Inject
        public Record(Recorder recorder) {
            this.recorder = recorder;
        }

        @Override
        public void init() throws MessagingException {
            id = getRequiredParameter("id");
        }

        @Override
        public void service(Mail mail) {
            recorder.events.add(id + ":" + mail.name() + ":" + mail.recipients().stream().map(MailAddress::localPart)
                    .sorted().collect(Collectors.joining(",")));
            getInitParameter("state").ifPresent(s -> mail.setState(new ProcessingState(s)));
        }
    }

    /** Always throws. */
    public static final class Fail extends GenericMailet {
        @Override
        public void service(Mail mail) throws MessagingException {
            throw new MailetException("boom");
        }
    }

    /** Selects recipients whose local part starts with the condition. */
    public static final class LocalPartStartsWith extends GenericRecipientMatcher {
        private String prefix;

        @Override
        public void init() throws MessagingException {
            prefix = getRequiredCondition();
        }

        @Override
        public boolean matchRecipient(MailAddress recipient) {
            return recipient.localPart().startsWith(prefix);
        }
    }

    /** Always throws. */
    public static final class FailingMatcher extends GenericMatcher {
        @Override
        public Collection<MailAddress> match(Mail mail) throws MessagingException {
            throw new MailetException("matcher boom");
        }
    }

    /** Sends the mail to the same processor again: a pipeline loop. */
    public static final class Loop extends GenericMailet {
        @Override
        public void service(Mail mail) {
            mail.setState(new ProcessingState(getInitParameter("to", "root")));
        }
    }

    static List<String> names() {
        return List.of(Record.class.getName(), Fail.class.getName());
    }
}
