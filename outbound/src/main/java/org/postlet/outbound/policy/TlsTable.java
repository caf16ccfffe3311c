package org.postlet.outbound.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.postlet.outbound.client.TlsPolicy;

/**
 * The TLS policy per destination domain (RemoteDelivery's {@code tlsPolicies} file): lines
 * {@code domain policy}, {@code bank.example verify} for that domain, {@code .example.org encrypt}
 * for every subdomain of example.org (not example.org itself, which needs its own line), {@code #}
 * comments. The most specific entry wins: the domain's own, else the longest matching
 * {@code .suffix}.
 */
public final class TlsTable {

    /** The table without entries. */
    public static final TlsTable EMPTY = new TlsTable(Map.of());

    private final Map<String, TlsPolicy> entries;

    private TlsTable(Map<String, TlsPolicy> entries) {
        this.entries = Map.copyOf(entries);
    }

    /**
     * Reads a table file.
     *
     * @throws TlsTableException naming the file and line of the first wrong line and how to fix it
     * @throws IOException       when the file cannot be read
     */
    public static TlsTable read(Path file) throws IOException, TlsTableException {
        return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /** Reads table lines; {@code source} names them in error messages. */
    public static TlsTable parse(String source, List<String> lines) throws TlsTableException {
        Map<String, TlsPolicy> entries = new HashMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            String where = source + ":" + (i + 1) + ": ";
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length != 2) {
                throw new TlsTableException(where + "'" + line + "' is not 'domain policy' — write e.g. 'bank.example verify'"
                        + " or '.example.org encrypt'");
            }
            String domain = fields[0].toLowerCase(Locale.ROOT);
            if (!domain.matches("\\.?[a-z0-9_-]+(\\.[a-z0-9_-]+)*")) {
                throw new TlsTableException(where + "'" + fields[0] + "' is not a domain — write a domain name such as"
                        + " bank.example, or .example.org for its subdomains");
            }
            TlsPolicy policy;
            try {
                policy = TlsPolicy.valueOf(fields[1].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TlsTableException(where + "'" + fields[1] + "' is not a TLS policy — write none, may, encrypt or"
                        + " verify");
            }
            Integer earlier = lineOf.putIfAbsent(domain, i + 1);
            if (earlier != null) {
                throw new TlsTableException(where + domain + " is already listed on line " + earlier
                        + " — keep one line per domain");
            }
            entries.put(domain, policy);
        }
        return new TlsTable(entries);
    }

    /** The policy the table sets for {@code domain}, if an entry matches it. */
    public Optional<TlsPolicy> policy(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        TlsPolicy own = entries.get(d);
        if (own != null) {
            return Optional.of(own);
        }
        for (int dot = d.indexOf('.'); dot >= 0; dot = d.indexOf('.', dot + 1)) {
            TlsPolicy parent = entries.get(d.substring(dot));
            if (parent != null) {
                return Optional.of(parent);
            }
        }
        return Optional.empty();
    }

    /** Whether the table has no entry. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
