package org.postlet.auth.dkim;

import java.util.Locale;

/** The result of checking one DKIM signature, named as in RFC 8601 section 2.7.1. */
public enum DkimResult {
    /** The message carries no signature. */
    NONE,
    /** The signature verified. */
    PASS,
    /** The signature or the body hash did not verify. */
    FAIL,
    /** The signature could not be read (syntax) and so was not checked. */
    NEUTRAL,
    /** The key could not be fetched for now (DNS). */
    TEMPERROR,
    /** The signature or key record is unusable for good (no key, revoked, bad algorithm). */
    PERMERROR;

    /** As written in {@code Authentication-Results:}. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
