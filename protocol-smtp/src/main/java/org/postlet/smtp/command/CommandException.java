package org.postlet.smtp.command;

/** A command was refused; the session sends {@link #reply()} and goes on. */
public final class CommandException extends Exception {

    private final transient Reply reply;

    public CommandException(Reply reply) {
        super(reply.toString(), null, false, false);
        this.reply = reply;
    }

    /** The reply to send. */
    public Reply reply() {
        return reply;
    }
}
