package org.postlet.server.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * The web console: a page, a script and a style sheet served from the jar at {@code /},
 * {@code /console.js} and {@code /console.css}. They hold no data; the script asks the admin API
 * for everything, with the token the person types in (kept in the tab's {@code sessionStorage},
 * sent only in the {@code Authorization} header, so never in a URL or a log).
 */
public final class Console {

    /**
     * One file of the console.
     *
     * @param contentType its media type
     * @param body        its bytes
     */
    public record Asset(String contentType, byte[] body) {
    }

    /**
     * Headers for every console file: scripts only from here (no inline script, so injected
     * markup cannot run), no framing, no referrer.
     */
    public static final Map<String, String> HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
                    + " img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer");

    private final Map<String, Asset> assets;

    public Console() {
        this.assets = Map.of(
                "/", load("index.html", "text/html; charset=utf-8"),
                "/console.js", load("console.js", "text/javascript; charset=utf-8"),
                "/console.css", load("console.css", "text/css; charset=utf-8"));
    }

    /** The console file at {@code path}, if there is one. */
    public Optional<Asset> asset(String path) {
        return Optional.ofNullable(assets.get(path));
    }

    private static Asset load(String name, String type) {
        try (InputStream in = Console.class.getResourceAsStream("console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + name + " is missing from the jar; rebuild Postlet");
            }
            return new Asset(type, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console's " + name + " from the jar", e);
        }
    }
}
