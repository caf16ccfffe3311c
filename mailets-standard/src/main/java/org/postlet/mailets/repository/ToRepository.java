package org.postlet.mailets.repository;

import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.nio.file.Path;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.ParameterValues;
import org.postlet.mailet.ProcessingState;

/**
 * Keeps the whole mail with its envelope in a folder for inspection and re-injection, then ends
 * its processing. Parameters: {@code path} (required; relative to the configuration folder),
 * {@code passThrough} ({@code false} by default; {@code true} keeps a copy and lets the mail go on).
 */
@ComponentDoc(summary = "Keeps the whole mail with its envelope (and error message) as one file in a folder, for"
        + " inspection and re-injection with `bin/postlet requeue`, then ends it.",
        example = "{ match: All, class: ToRepository, path: ../var/error }")
@MailetParameter(name = "path", required = true, description = "The folder, relative to the configuration folder.",
        example = "../var/quarantine")
@MailetParameter(name = "passThrough", description = "`true` keeps a copy and lets the mail go on; default `false`.",
        example = "true")
public final class ToRepository extends GenericMailet {

    private final MailRepository repository;
    private final Path configDirectory;
    private Path folder;
    private boolean passThrough;

    @Inject
    public ToRepository(MailRepository repository, @ConfigDirectory Path configDirectory) {
        this.repository = repository;
        this.configDirectory = configDirectory;
    }

    @Override
    public void init() throws MessagingException {
        folder = configDirectory.resolve(getRequiredParameter("path")).normalize();
        // Found by check, not by the first failing mail at run time.
        ParameterValues.writableFolder("repository folder", folder);
        passThrough = getBooleanParameter("passThrough", false);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (getMailetContext().dryRun()) {
            getMailetContext().logger().info("{}: would keep the mail in repository {}", mail.name(), folder);
        } else {
            keep(mail);
        }
        if (!passThrough) {
            mail.setState(ProcessingState.GHOST);
        }
    }

    private void keep(Mail mail) throws MessagingException {
        try {
            Path file = repository.store(folder, mail);
            getMailetContext().logger().info("{}: kept in repository {}{}", mail.name(), file,
                    mail.errorMessage().map(e -> " (" + e + ")").orElse(""));
        } catch (IOException e) {
            throw new MailetException("cannot keep the mail in " + folder + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String info() {
        return "ToRepository " + folder;
    }
}
