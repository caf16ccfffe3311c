package org.postlet.server.context;

/** Whether mailets act for real or only say what they would do ({@code bin/postlet trace}). */
public enum RunMode {
    /** The server: deliveries, repositories and new mails happen. */
    SERVE,
    /** A dry run: nothing is written anywhere; see {@link org.postlet.mailet.MailetContext#dryRun()}. */
    DRY_RUN
}
