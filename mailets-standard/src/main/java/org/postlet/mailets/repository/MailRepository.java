package org.postlet.mailets.repository;

import java.io.IOException;
import java.nio.file.Path;
import org.postlet.mailet.Mail;

/**
 * Keeps whole mails (envelope and message) in a folder where an operator can inspect them and
 * put them back into processing. The server provides the implementation.
 */
public interface MailRepository {

    /**
     * Stores the mail durably (fsync'd) under {@code folder}, creating it if needed.
     *
     * @return the file written
     * @throws IOException if it cannot be stored; the mail must then not be considered kept
     */
    Path store(Path folder, Mail mail) throws IOException;
}
