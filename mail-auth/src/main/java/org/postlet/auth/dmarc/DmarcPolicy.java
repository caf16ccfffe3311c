package org.postlet.auth.dmarc;

import java.util.Locale;

/** What a domain asks receivers to do with mail that fails DMARC ({@code p=}, {@code sp=}). */
public enum DmarcPolicy {
    /** Only report. */
    NONE,
    /** Treat as suspicious: the spam folder. */
    QUARANTINE,
    /** Refuse. */
    REJECT;

    /** As written in the record and in headers. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The policy of a {@code p=} value; {@code null} when invalid. */
    static DmarcPolicy of(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "quarantine" -> QUARANTINE;
            case "reject" -> REJECT;
            default -> null;
        };
    }

    /** One step milder, for mail outside the {@code pct=} sample (section 6.6.4). */
    DmarcPolicy milder() {
        return this == REJECT ? QUARANTINE : NONE;
    }
}
