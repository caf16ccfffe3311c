package org.postlet.mailet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The syntax of typed parameters, shared by mailets, matchers and the server's own configuration
 * so that {@code 30s} or {@code 25MB} mean the same everywhere.
 */
public final class ParameterValues {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|m|mb|g|gb)?");

    private ParameterValues() {
    }

    /**
     * Parses a duration: a number with {@code ms}, {@code s} (the default), {@code m}, {@code h} or {@code d}.
     *
     * @param what names the value in the error message, e.g. {@code "Retry parameter 'delay'"}
     * @throws MailetException saying what is wrong and what is accepted
     */
    public static Duration duration(String what, String text) throws MailetException {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new MailetException(what + " is '" + text + "', not a duration — write e.g. 30s, 10m, 2h or 1d");
        }
        long n = number(what, text, m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        try {
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            };
        } catch (ArithmeticException e) {
            throw tooLarge(what, text);
        }
    }

    /**
     * Parses a size in bytes: a number with an optional {@code k}, {@code MB}, {@code G} (powers of 1024).
     *
     * @throws MailetException saying what is wrong and what is accepted
     */
    public static long size(String what, String text) throws MailetException {
        Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new MailetException(what + " is '" + text + "', not a size — write e.g. 512, 10k, 25MB or 1G");
        }
        long n = number(what, text, m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        int shift = switch (unit.charAt(0)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        if (Long.numberOfLeadingZeros(n) <= shift) {
            throw tooLarge(what, text);
        }
        return n << shift;
    }

    /** The digits as a long; more than a long holds is too large, not a crash (found by DirectoryFuzzTest). */
    private static long number(String what, String text, String digits) throws MailetException {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw tooLarge(what, text);
        }
    }

    private static MailetException tooLarge(String what, String text) {
        return new MailetException(what + " is '" + text + "', which is too large");
    }

    /**
     * Parses {@code true}/{@code false}/{@code yes}/{@code no}.
     *
     * @throws MailetException for anything else
     */
    public static boolean bool(String what, String text) throws MailetException {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new MailetException(what + " is '" + text + "' — write true or false");
        };
    }

    /**
     * Checks that this process can write a folder: it is a writable directory, or does not exist
     * yet and its nearest existing parent is one (the folder is then created at first use).
     *
     * @param what names the folder in the message, e.g. {@code "spool"}
     * @throws MailetException saying which folder, why, and the user the server runs as
     */
    public static void writableFolder(String what, Path folder) throws MailetException {
        Path absolute = folder.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        String user = System.getProperty("user.name");
        String fix = " — make it writable for user '" + user + "', whom the server runs as (e.g. chown -R " + user
                + " " + (existing == null ? absolute : existing) + "), or choose another folder";
        if (existing == null || !Files.isDirectory(existing)) {
            throw new MailetException(what + " " + absolute + " cannot be created: " + existing + " is not a folder" + fix);
        }
        if (!Files.isWritable(existing) || !Files.isExecutable(existing)) {
            throw new MailetException(what + " " + absolute + (existing.equals(absolute) ? " is not writable"
                    : " does not exist and cannot be created in " + existing) + fix);
        }
    }
}
