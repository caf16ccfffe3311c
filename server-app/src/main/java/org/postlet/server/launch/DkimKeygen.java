package org.postlet.server.launch;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Locale;
import org.postlet.auth.dkim.DkimAlgorithm;
import org.postlet.auth.dkim.DkimKeys;

/**
 * {@code bin/postlet dkim keygen --domain D --selector S [--type rsa|ed25519] [--conf DIR]}: makes
 * {@code DIR/dkim/D.S.pem} (mode 0600) and prints the TXT record to publish. An existing key is
 * never overwritten: replacing a published key would break the mail already signed with it.
 */
final class DkimKeygen {

    private final PrintStream out;
    private final PrintStream err;

    DkimKeygen(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(Path conf, String domain, String selector, String type) {
        if (domain == null || selector == null) {
            err.println("postlet dkim keygen: --domain and --selector are required, e.g."
                    + " bin/postlet dkim keygen --domain example.test --selector s2026");
            return Launcher.USAGE;
        }
        String d = domain.toLowerCase(Locale.ROOT);
        if (!d.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?") || !selector.matches("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")) {
            err.println("postlet dkim keygen: '" + domain + "' or '" + selector + "' is not a DNS name"
                    + " — use letters, digits, dots and hyphens");
            return Launcher.USAGE;
        }
        DkimAlgorithm algorithm = switch (type.toLowerCase(Locale.ROOT)) {
            case "rsa" -> DkimAlgorithm.RSA_SHA256;
            case "ed25519" -> DkimAlgorithm.ED25519_SHA256;
            default -> null;
        };
        if (algorithm == null) {
            err.println("postlet dkim keygen: unknown --type '" + type + "' — use rsa (the default) or ed25519");
            return Launcher.USAGE;
        }
        Path file = conf.resolve("dkim").resolve(d + "." + selector + ".pem");
        if (Files.exists(file)) {
            err.println("postlet dkim keygen: " + file + " exists already; it is not replaced, since mail signed with it"
                    + " must still verify — choose a new selector to roll the key over");
            return Launcher.INVALID;
        }
        KeyPair keys = DkimKeys.generate(algorithm);
        try {
            Files.createDirectories(file.getParent());
            DkimKeys.writePrivateKey(keys.getPrivate(), file);
        } catch (IOException e) {
            err.println("postlet dkim keygen: cannot write " + file + ": " + e.getMessage());
            return Launcher.INVALID;
        }
        err.println("wrote " + file + "; publish this record in DNS, then sign with"
                + " { match: ..., class: DkimSign, domain: " + d + ", selector: " + selector + " }:");
        out.println(DkimKeys.txtRecord(d, selector, keys.getPublic()));
        return Launcher.OK;
    }
}
