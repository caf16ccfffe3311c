package org.postlet.auth.spf;

import java.util.Locale;

/** The results of RFC 7208 section 2.6, as written in {@code Authentication-Results:} and {@code Received-SPF:}. */
public enum SpfResult {
    /** No SPF record, or no domain to check. */
    NONE,
    /** The domain states nothing about the address ({@code ?}, or no mechanism matched). */
    NEUTRAL,
    /** The address may send for the domain. */
    PASS,
    /** The address may not send for the domain. */
    FAIL,
    /** The address probably may not send ({@code ~}). */
    SOFTFAIL,
    /** A DNS failure that may pass. */
    TEMPERROR,
    /** The record cannot be evaluated (syntax, too many lookups). */
    PERMERROR;

    /** As written in headers. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
