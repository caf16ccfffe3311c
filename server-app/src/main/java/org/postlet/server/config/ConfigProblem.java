package org.postlet.server.config;

import java.nio.file.Path;

/**
 * One thing wrong with the configuration, printed as {@code FILE:LINE: problem — fix}.
 *
 * @param file    the file the problem is in
 * @param line    1-based line, or 0 when the format cannot tell
 * @param problem what is wrong
 * @param fix     what the operator should do about it
 */
public record ConfigProblem(Path file, int line, String problem, String fix) {

    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + problem + " — " + fix;
    }
}
