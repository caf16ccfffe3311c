package org.postlet.mailet;

/**
 * The name of a processor, which is where a {@link Mail} is in the pipeline. Every mail starts in
 * {@link #ROOT}; {@link #GHOST} ends processing; {@link #ERROR} receives mail a mailet failed on.
 *
 * @param name the processor's name as written in the pipeline's {@code state:} key
 */
public record ProcessingState(String name) {

    /** Where every mail starts. */
    public static final ProcessingState ROOT = new ProcessingState("root");
    /** Processing has ended; the mail leaves the spool. */
    public static final ProcessingState GHOST = new ProcessingState("ghost");
    /** Where mail goes when a mailet or matcher throws, unless the step says otherwise. */
    public static final ProcessingState ERROR = new ProcessingState("error");

    /** @throws IllegalArgumentException if the name is empty or contains white space */
    public ProcessingState {
        if (name == null || name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("a processor state needs a name without spaces, got '" + name + "'");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
