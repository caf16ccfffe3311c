package org.postlet.mailets.recipients;

import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postlet.mailet.ComponentDoc;
import org.postlet.mailet.GenericMailet;
import org.postlet.mailet.InvalidAddressException;
import org.postlet.mailet.Mail;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.MailetParameter;
import org.postlet.mailets.Values;
import org.postlet.mailets.repository.ConfigDirectory;

/**
 * Rewrites recipients by an aliases file, domain aliases and regular expressions, repeatedly,
 * until nothing changes; a rewrite that leads back to an address it came from is a loop.
 */
@ComponentDoc(summary = "Rewrites recipients, in this order for each address: an entry of the aliases `file`"
        + " (`alias@domain: target[, target…]`, the format of the server's `aliases` file, see configuration.md), a domain alias (`domains`), the first"
        + " matching `regex` rule. The targets are rewritten again, up to 10 levels; an address that leads back to"
        + " itself through other addresses is a loop, which sends the mail to `error` naming the chain (an alias"
        + " that lists itself among its targets is kept, not a loop). Each rewrite is logged. With no parameter at"
        + " all it expands the server's own aliases (`aliases:` in postlet.yaml) to the local mailboxes.",
        example = "{ match: All, class: RecipientRewrite, file: aliases, domains: \"example.org=example.test\" }")
@MailetParameter(name = "file", description = "An aliases file, relative to the configuration folder: one"
        + " `alias@domain: target[, target…]` per line, `#` starts a comment.", example = "aliases")
@MailetParameter(name = "domains", description = "Domain aliases as a comma-separated list of `alias=domain`: mail for"
        + " `x@alias` goes to `x@domain`.", example = "example.org=example.test, example.net=example.test")
@MailetParameter(name = "regex", description = "Rules `pattern -> replacement` separated by `;`, applied to the whole"
        + " address; the replacement may use `$1`… and may list several addresses separated by commas.",
        example = "^(.*)\\+.*@example\\.test$ -> $1@example.test")
public final class RecipientRewrite extends GenericMailet {

    private static final int MAX_DEPTH = 10;

    /** One regex rule. */
    private record Rule(Pattern pattern, String replacement) {
    }

    private final Path configDirectory;
    private Map<MailAddress, List<MailAddress>> aliases;
    private Map<String, String> domains;
    private List<Rule> rules;
    private boolean serverAliases;

    /** @param configDirectory what a relative {@code file} resolves against */
    @Inject
    public RecipientRewrite(@ConfigDirectory Path configDirectory) {
        this.configDirectory = configDirectory;
    }

    @Override
    public void init() throws MessagingException {
        Optional<String> file = getInitParameter("file").map(String::strip).filter(f -> !f.isEmpty());
        aliases = file.isPresent() ? readAliases(configDirectory.resolve(file.get()).normalize()) : Map.of();
        domains = new LinkedHashMap<>();
        for (String pair : Values.list(getInitParameter("domains", ""))) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new MailetException("RecipientRewrite parameter 'domains': '" + pair
                        + "' is not alias=domain — write e.g. example.org=example.test");
            }
            domains.put(pair.substring(0, eq).strip().toLowerCase(Locale.ROOT), pair.substring(eq + 1).strip().toLowerCase(Locale.ROOT));
        }
        rules = new ArrayList<>();
        for (String rule : getInitParameter("regex", "").split(";")) {
            if (rule.isBlank()) {
                continue;
            }
            int arrow = rule.indexOf("->");
            if (arrow < 0) {
                throw new MailetException("RecipientRewrite parameter 'regex': '" + rule.strip()
                        + "' has no '->' — write pattern -> replacement, rules separated by ;");
            }
            rules.add(new Rule(Values.regex("RecipientRewrite parameter 'regex'", rule.substring(0, arrow).strip()),
                    rule.substring(arrow + 2).strip()));
        }
        serverAliases = file.isEmpty() && domains.isEmpty() && rules.isEmpty();
    }

    private static Map<MailAddress, List<MailAddress>> readAliases(Path file) throws MailetException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MailetException("RecipientRewrite cannot read the aliases file " + file + " (" + e.getMessage()
                    + ") — create it or correct the parameter 'file'");
        }
        Map<MailAddress, List<MailAddress>> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            line = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            String where = file + ":" + (i + 1);
            if (colon < 0) {
                throw new MailetException(where + ": no ':' between the alias and its targets — write alias@domain: target[, target…]");
            }
            try {
                MailAddress alias = lower(MailAddress.parse(line.substring(0, colon)));
                List<MailAddress> targets = new ArrayList<>();
                for (String t : Values.list(line.substring(colon + 1))) {
                    targets.add(MailAddress.parse(t));
                }
                if (targets.isEmpty()) {
                    throw new InvalidAddressException("no target");
                }
                out.put(alias, List.copyOf(targets));
            } catch (InvalidAddressException e) {
                throw new MailetException(where + ": " + e.getMessage() + " — write alias@domain: target[, target…]");
            }
        }
        return out;
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Set<MailAddress> result = new LinkedHashSet<>();
        boolean changed = false;
        for (MailAddress r : mail.recipients()) {
            Set<MailAddress> rewritten = new LinkedHashSet<>();
            expand(r, new ArrayList<>(), rewritten);
            if (!rewritten.equals(Set.of(r))) {
                changed = true;
                getMailetContext().logger().info("{}: recipient {} rewritten to {}", mail.name(), r, rewritten);
            }
            result.addAll(rewritten);
        }
        if (changed) {
            mail.setRecipients(result);
        }
    }

    private void expand(MailAddress address, List<MailAddress> chain, Set<MailAddress> into) throws MailetException {
        if (chain.contains(address)) {
            List<MailAddress> loop = new ArrayList<>(chain.subList(chain.indexOf(address), chain.size()));
            loop.add(address);
            throw new MailetException("alias loop: " + String.join(" -> ", loop.stream().map(MailAddress::toString).toList())
                    + " — correct the aliases or rewrite rules");
        }
        if (chain.size() >= MAX_DEPTH) {
            throw new MailetException("aliases nested deeper than " + MAX_DEPTH + " levels from " + chain.get(0)
                    + " — shorten the chain of aliases");
        }
        Optional<List<MailAddress>> targets = rewriteOnce(address);
        if (targets.isEmpty()) {
            into.add(address);
            return;
        }
        chain.add(address);
        for (MailAddress t : targets.get()) {
            if (t.equals(address)) {
                into.add(t); // "alice: alice, bob" keeps a copy for alice: not a loop
            } else {
                expand(t, chain, into);
            }
        }
        chain.remove(chain.size() - 1);
    }

    private Optional<List<MailAddress>> rewriteOnce(MailAddress address) throws MailetException {
        if (serverAliases) {
            List<MailAddress> boxes = List.copyOf(getMailetContext().localMailboxes(address));
            return boxes.isEmpty() || boxes.equals(List.of(address)) ? Optional.empty() : Optional.of(boxes);
        }
        List<MailAddress> alias = aliases.get(lower(address));
        if (alias != null) {
            return Optional.of(alias);
        }
        String domain = domains.get(address.domain());
        if (domain != null) {
            return Optional.of(List.of(new MailAddress(address.localPart(), domain)));
        }
        for (Rule rule : rules) {
            Matcher m = rule.pattern().matcher(address.toString());
            if (m.matches()) {
                String replaced = m.replaceAll(rule.replacement());
                List<MailAddress> out = new ArrayList<>();
                for (String t : Values.list(replaced)) {
                    out.add(Values.address("RecipientRewrite rule " + rule.pattern() + " gave", t));
                }
                return out.equals(List.of(address)) ? Optional.empty() : Optional.of(out);
            }
        }
        return Optional.empty();
    }

    private static MailAddress lower(MailAddress a) {
        return new MailAddress(a.localPart().toLowerCase(Locale.ROOT), a.domain());
    }
}
