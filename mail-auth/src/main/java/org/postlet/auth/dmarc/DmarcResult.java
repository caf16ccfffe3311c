package org.postlet.auth.dmarc;

import java.util.Locale;

/** The DMARC results of RFC 7489 section 11.2, as written in {@code Authentication-Results:}. */
public enum DmarcResult {
    /** The From domain publishes no policy (nor does its organizational domain). */
    NONE,
    /** SPF or DKIM passed for a domain aligned with the From domain. */
    PASS,
    /** Neither passed aligned. */
    FAIL,
    /** The policy could not be fetched for now. */
    TEMPERROR,
    /** The From field cannot be evaluated (missing, several, no domain). */
    PERMERROR;

    /** As written in headers. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
