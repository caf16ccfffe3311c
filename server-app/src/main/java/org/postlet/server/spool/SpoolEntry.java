package org.postlet.server.spool;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
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
 * @param attributes    mail attributes kept with the message (a kept or requeued mail has its mailets' ones)
 */
public record SpoolEntry(String id, Envelope envelope, ProcessingState state, Path file, long messageOffset,
                         long messageSize, Map<String, Serializable> attributes) {

    public SpoolEntry {
        attributes = Map.copyOf(attributes);
    }

    /** An entry without attributes, e.g. a message just received or a file given to {@code trace}. */
    public SpoolEntry(String id, Envelope envelope, ProcessingState state, Path file, long messageOffset, long messageSize) {
        this(id, envelope, state, file, messageOffset, messageSize, Map.of());
    }
}
