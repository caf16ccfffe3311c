package org.postlet.queue;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.postlet.mailet.ProcessingState;

/**
 * One queued mail in full, as an operator inspects it ({@link MailQueue#inspect}).
 *
 * @param summary    what {@link MailQueue#browse} shows of it
 * @param state      the processor it resumes in, if the queue can tell
 * @param attributes its mail attributes (empty if the queue cannot tell)
 * @param content    its message, if the queue can read it without taking the mail
 */
public record QueuedMailDetail(QueuedMailSummary summary, Optional<ProcessingState> state,
                               Map<String, Serializable> attributes, Optional<MessageContent> content) {

    public QueuedMailDetail {
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(content, "content");
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }
}
