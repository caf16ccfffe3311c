package org.postlet.mailet;

/** An address that cannot be parsed; the message says what is wrong with it. */
public final class InvalidAddressException extends IllegalArgumentException {

    /** @param problem what is wrong, e.g. {@code missing '@domain'} */
    public InvalidAddressException(String problem) {
        super(problem);
    }
}
