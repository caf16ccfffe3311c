package org.postlet.mailets.matchers;

import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeUtility;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds the attachments of a message: parts with {@code Content-Disposition: attachment} or a file name. */
final class Attachments {

    /** Deep enough for any real message, shallow enough that a crafted one cannot exhaust the stack. */
    private static final int MAX_DEPTH = 20;

    private Attachments() {
    }

    /** The file names of the attachments; an attachment without a name has an empty one. */
    static List<String> fileNames(Part message) throws MessagingException {
        List<String> names = new ArrayList<>();
        collect(message, names, 0);
        return names;
    }

    private static void collect(Part part, List<String> names, int depth) throws MessagingException {
        if (depth > MAX_DEPTH) {
            return;
        }
        if (part.isMimeType("multipart/*")) {
            Object content;
            try {
                content = part.getContent();
            } catch (IOException e) {
                throw new MessagingException("cannot read a multipart: " + e.getMessage(), e);
            }
            if (content instanceof Multipart mp) {
                for (int i = 0; i < mp.getCount(); i++) {
                    collect(mp.getBodyPart(i), names, depth + 1);
                }
            }
            return;
        }
        Optional<String> name = fileName(part);
        if (name.isPresent() || Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
            names.add(name.orElse(""));
        }
    }

    private static Optional<String> fileName(Part part) throws MessagingException {
        String name;
        try {
            name = part.getFileName();
        } catch (MessagingException e) {
            return Optional.empty(); // an unreadable Content-Disposition: not a usable name
        }
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        try {
            // Some mailers put RFC 2047 words into the filename parameter; decode them as mail clients do.
            return Optional.of(MimeUtility.decodeText(name).strip());
        } catch (UnsupportedEncodingException e) {
            return Optional.of(name.strip());
        }
    }
}
