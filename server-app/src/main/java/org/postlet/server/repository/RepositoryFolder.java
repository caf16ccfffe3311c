package org.postlet.server.repository;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.mail.MessagingException;
import org.postlet.mailet.Mail;
import org.postlet.mailet.ProcessingState;
import org.postlet.maildir.OwnerOnly;
import org.postlet.mailets.repository.MailRepository;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.Origin;
import org.postlet.queue.file.MailFile;

/**
 * Keeps mails as {@link MailFile}s, one per mail named by its queue id, so a kept mail is read
 * with {@code less} and put back into processing with {@code bin/postlet requeue}.
 */
@Singleton
public final class RepositoryFolder implements MailRepository {

    private final Clock clock;

    @Inject
    public RepositoryFolder(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Path store(Path folder, Mail mail) throws IOException {
        // Kept mail is as private as a Maildir.
        Files.createDirectories(folder, OwnerOnly.directory(folder));
        MailEnvelope envelope = new MailEnvelope(mail.sender(), List.copyOf(mail.recipients()),
                new Origin.Requeued(folder.toString()), clock.instant());
        Map<String, Serializable> attributes = new LinkedHashMap<>();
        mail.attributeNames().forEach(n -> mail.attribute(n).ifPresent(v -> attributes.put(n, v)));
        Path file = folder.resolve(mail.name());
        MailFile.write(file, mail.name(), envelope, ProcessingState.ROOT, mail.errorMessage(), attributes, out -> {
            try {
                mail.writeMessageTo(out);
            } catch (MessagingException e) {
                throw new IOException("cannot write the message: " + e.getMessage(), e);
            }
        });
        return file;
    }
}
