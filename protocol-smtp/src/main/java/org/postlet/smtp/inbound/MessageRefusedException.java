package org.postlet.smtp.inbound;

import org.postlet.smtp.policy.Verdict;

/** A message check refused or deferred the message: the client gets the verdict's reply instead of 250. */
public final class MessageRefusedException extends Exception {

    private final Verdict verdict;

    public MessageRefusedException(Verdict verdict) {
        super(verdict.code() + " " + verdict.enhancedCode() + " " + verdict.text());
        this.verdict = verdict;
    }

    public Verdict verdict() {
        return verdict;
    }
}
