package org.postlet.smtp.command;

import java.util.Optional;

/**
 * One parsed command line: the verb and everything after it.
 *
 * @param verb     the command
 * @param argument the text after the verb and its separating spaces, possibly empty; never null
 */
public record Command(Verb verb, String argument) {

    public Command {
        if (argument == null) {
            throw new IllegalArgumentException("argument must not be null; use \"\"");
        }
    }

    /**
     * Splits a command line into verb and argument.
     *
     * @return the command, or empty when the first word is not a known verb
     */
    public static Optional<Command> parse(String line) {
        int space = line.indexOf(' ');
        String word = space < 0 ? line : line.substring(0, space);
        String argument = space < 0 ? "" : line.substring(space + 1).strip();
        return Verb.of(word).map(verb -> new Command(verb, argument));
    }
}
