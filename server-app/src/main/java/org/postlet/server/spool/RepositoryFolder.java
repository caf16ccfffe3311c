package org.postlet.server.spool;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.postlet.maildir.DirectoryDurability;
import org.postlet.maildir.OwnerOnly;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import jakarta.inject.Singleton;
import jakarta.mail.MessagingException;
import org.postlet.mailet.Mail;
import org.postlet.mailet.ProcessingState;
import org.postlet.mailets.repository.MailRepository;
import org.postlet.smtp.inbound.Envelope;

/**
 * Keeps mails in the spool's own file format, one file per mail named by its queue id, so a kept
 * mail is read with {@code less} and put back into processing by moving it into the spool's
 * {@code queue/} folder.
 */
@Singleton
public final class RepositoryFolder implements MailRepository {

    @Override
    public Path store(Path folder, Mail mail) throws IOException {
        Files.createDirectories(folder, OwnerOnly.directory(folder)); // kept mail is as private as a Maildir
        Envelope envelope = new Envelope(mail.sender(), List.copyOf(mail.recipients()), Map.of(), Map.of(), mail.heloName(),
                InetSocketAddress.createUnresolved(mail.remoteAddress(), 0), mail.authenticatedUser(), Optional.empty(), "repository",
                Instant.now());
        Path file = folder.resolve(mail.name());
        Path tmp = folder.resolve("." + mail.name() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE), OwnerOnly.file(folder))) {
            OutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
            CheckedOutputStream out = new CheckedOutputStream(buffered, new CRC32C());
            Map<String, Serializable> attributes = new LinkedHashMap<>();
            mail.attributeNames().forEach(n -> mail.attribute(n).ifPresent(v -> attributes.put(n, v)));
            out.write(SpoolFormat.header(mail.name(), envelope, ProcessingState.ROOT, mail.errorMessage(), attributes));
            mail.writeMessageTo(out);
            buffered.write(SpoolFormat.seal(out.getChecksum().getValue()));
            buffered.flush();
            channel.force(true);
        } catch (MessagingException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot write the message: " + e.getMessage(), e);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        } catch (UncheckedIOException e) {
            Files.deleteIfExists(tmp);
            throw e.getCause(); // an attribute that cannot be serialised
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DirectoryDurability.fsync(folder);
        return file;
    }
}
