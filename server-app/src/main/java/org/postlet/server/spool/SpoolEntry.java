package org.postlet.server.spool;

import java.nio.file.Path;
import org.postlet.mailet.ProcessingState;
import org.postlet.smtp.inbound.Envelope;

/**
 * A message in the spool, as read back from its file.
 *
 * @param id            the queue id
 * @param envelope      the SMTP envelope
 * @param state         the processor it starts (or restarts) in
 * @param file          the spool file
 * @param messageOffset where the message starts in the file, after the envelope records
 * @param messageSize   the message's length in bytes
 */
public record SpoolEntry(String id, Envelope envelope, ProcessingState state, Path file, long messageOffset,
                         long messageSize) {
}
