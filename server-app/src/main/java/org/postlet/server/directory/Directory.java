package org.postlet.server.directory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postlet.maildir.QuotaRules;
import org.postlet.mailet.InvalidAddressException;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.MailetException;
import org.postlet.mailet.ParameterValues;
import org.postlet.server.auth.PasswordHashes;
import org.postlet.server.config.ConfigFiles;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;

/**
 * Who receives mail here: the local domains, the users of the Dovecot passwd-file and the aliases.
 * Immutable; a reload builds a new one.
 */
public final class Directory implements QuotaRules {

    /** Dovecot's per-user quota in the passwd-file's extra fields: {@code userdb_quota_rule=*:storage=100M}. */
    private static final Pattern QUOTA_RULE =
            Pattern.compile("(?:^|\\s)(?:userdb_)?quota_rule=\\*:storage=(\\S+)");

    /** Aliases may point at aliases; deeper chains are a configuration loop. */
    private static final int MAX_ALIAS_DEPTH = 10;

    private final Set<String> domains;
    private final Map<MailAddress, User> users;
    private final Map<MailAddress, List<MailAddress>> aliases;
    private final OptionalLong defaultStorageLimit;

    /**
     * One line of the passwd-file.
     *
     * @param address      the user's address, local part lower-cased
     * @param passwordHash the password field as written, e.g. {@code {SHA512-CRYPT}$6$...}; empty if none
     * @param extraFields  the fields after the password (uid, gid, gecos, home, shell, extra), as written
     * @param storageLimit the quota from {@code userdb_quota_rule=*:storage=…} in the extra fields, in bytes
     */
    public record User(MailAddress address, String passwordHash, List<String> extraFields, OptionalLong storageLimit) {
        public User {
            extraFields = List.copyOf(extraFields);
        }
    }

    public Directory(Set<String> domains, Collection<User> users, Map<MailAddress, List<MailAddress>> aliases,
                     OptionalLong defaultStorageLimit) {
        this.defaultStorageLimit = defaultStorageLimit;
        this.domains = Set.copyOf(domains);
        Map<MailAddress, User> byAddress = new LinkedHashMap<>();
        users.forEach(u -> byAddress.putIfAbsent(u.address(), u)); // the first line wins, as in Dovecot
        this.users = Collections.unmodifiableMap(byAddress);
        this.aliases = Map.copyOf(aliases);
    }

    /**
     * Reads the passwd-file and the optional aliases file.
     *
     * @throws InvalidConfigException listing every malformed line
     */
    public static Directory load(List<String> domains, Path passwd, Optional<Path> aliasesFile, OptionalLong defaultStorageLimit)
            throws InvalidConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        List<User> users = new ArrayList<>();
        Map<MailAddress, Integer> firstLine = new HashMap<>();
        List<String> lines = readLines(passwd, problems);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            // user:password:uid:gid:gecos:home:shell:extra — the extra fields may themselves contain colons.
            String[] fields = line.split(":", 8);
            String user = fields[0];
            if (!user.contains("@")) {
                problems.add(new ConfigProblem(passwd, i + 1, "user '" + user + "' has no domain",
                        "write the full address, e.g. " + user + "@" + (domains.isEmpty() ? "example.test" : domains.get(0))));
                continue;
            }
            // No password field at all: a user who receives mail but cannot log in.
            String password = fields.length > 1 ? fields[1] : "";
            Optional<String> bad = fields.length > 1 ? PasswordHashes.problem(password) : Optional.empty();
            if (bad.isPresent()) {
                problems.add(new ConfigProblem(passwd, i + 1, "user '" + user + "' has " + bad.get(),
                        "make a hash with bin/postlet passwd ({SHA512-CRYPT} or {BLF-CRYPT}); {SHA256-CRYPT}, {MD5-CRYPT},"
                                + " {CRYPT} and {PLAIN} are read too; leave the field out for a user who only receives mail"));
                continue;
            }
            try {
                MailAddress address = normalise(MailAddress.parse(user));
                if (!domains.contains(address.domain().toLowerCase(Locale.ROOT))) {
                    problems.add(new ConfigProblem(passwd, i + 1, "user '" + user + "' is not in a local domain "
                            + domains, "add " + address.domain() + " to domains in postlet.yaml, or correct the address"));
                    continue;
                }
                Integer first = firstLine.putIfAbsent(address, i + 1);
                if (first != null) {
                    problems.add(new ConfigProblem(passwd, i + 1, "user '" + user + "' is listed twice (first on line " + first
                            + "); Dovecot uses the first, so IMAP and SMTP would disagree", "remove one of the two lines"));
                    continue;
                }
                List<String> extra = fields.length > 2 ? List.of(fields).subList(2, fields.length) : List.of();
                users.add(new User(address, password, extra, quota(String.join(" ", extra))));
            } catch (InvalidAddressException e) {
                problems.add(new ConfigProblem(passwd, i + 1, "'" + user + "' is not an address: " + e.getMessage(),
                        "write user@domain:{SCHEME}hash"));
            } catch (MailetException e) {
                problems.add(new ConfigProblem(passwd, i + 1, e.getMessage(), "write e.g. userdb_quota_rule=*:storage=1G"));
            }
        }
        Map<MailAddress, List<MailAddress>> aliases = new HashMap<>();
        if (aliasesFile.isPresent()) {
            Path file = aliasesFile.get();
            List<String> aliasLines = readLines(file, problems);
            for (int i = 0; i < aliasLines.size(); i++) {
                String line = aliasLines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int colon = line.indexOf(':');
                try {
                    if (colon < 0) {
                        throw new InvalidAddressException("missing ':' between the alias and its targets");
                    }
                    List<MailAddress> targets = new ArrayList<>();
                    for (String t : line.substring(colon + 1).split(",")) {
                        if (!t.isBlank()) {
                            targets.add(normalise(MailAddress.parse(t)));
                        }
                    }
                    if (targets.isEmpty()) {
                        throw new InvalidAddressException("no targets");
                    }
                    aliases.put(normalise(MailAddress.parse(line.substring(0, colon))), targets);
                } catch (InvalidAddressException e) {
                    problems.add(new ConfigProblem(file, i + 1, e.getMessage(), "write alias@domain: target[, target…]"));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new Directory(Set.copyOf(domains), users, aliases, defaultStorageLimit);
    }

    private static OptionalLong quota(String extraFields) throws MailetException {
        Matcher m = QUOTA_RULE.matcher(extraFields);
        return m.find() ? OptionalLong.of(ParameterValues.size("quota_rule storage", m.group(1))) : OptionalLong.empty();
    }

    /**
     * The user's storage quota: from the passwd-file, else {@code storage.maildir.quota}. Aliases
     * and unknown addresses have none.
     */
    @Override
    public OptionalLong storageLimit(MailAddress mailbox) {
        User u = users.get(normalise(mailbox));
        if (u == null) {
            return OptionalLong.empty();
        }
        return u.storageLimit().isPresent() ? u.storageLimit() : defaultStorageLimit;
    }

    /** Whether mail for this domain is delivered here. */
    public boolean isLocalDomain(String domain) {
        return domains.contains(domain.toLowerCase(Locale.ROOT));
    }

    /** Whether the address is a local user or an alias. */
    public boolean isLocalRecipient(MailAddress address) {
        MailAddress a = normalise(address);
        return users.containsKey(a) || aliases.containsKey(a);
    }

    /** The passwd-file entry of a local user (not an alias), if there is one. */
    public Optional<User> user(MailAddress address) {
        return Optional.ofNullable(users.get(normalise(address)));
    }

    /**
     * The mailboxes an address delivers to: itself for a user, the expanded targets for an alias
     * (which may include remote addresses). Empty for an unknown address.
     */
    public Set<MailAddress> mailboxesOf(MailAddress address) {
        Set<MailAddress> result = new LinkedHashSet<>();
        expand(normalise(address), result, new HashSet<>(), 0);
        return result;
    }

    /**
     * Each alias is expanded once: an alias met again (a loop, one that names itself, or two paths
     * to one alias) ends there as a mailbox, so "alice: alice, alice@elsewhere" keeps a local copy
     * as in Postfix, and repeated self-references cannot make the expansion grow exponentially.
     */
    private void expand(MailAddress address, Set<MailAddress> into, Set<MailAddress> expanded, int depth) {
        List<MailAddress> targets = aliases.get(address);
        if (targets == null || depth > MAX_ALIAS_DEPTH || !expanded.add(address)) {
            if (users.containsKey(address) || !isLocalDomain(address.domain())) {
                into.add(address);
            }
            return;
        }
        for (MailAddress t : targets) {
            expand(t, into, expanded, depth + 1);
        }
    }

    /** Local parts compare case-insensitively here, as Dovecot and Postfix do for local users. */
    private static MailAddress normalise(MailAddress a) {
        return new MailAddress(a.localPart().toLowerCase(Locale.ROOT), a.domain());
    }

    private static List<String> readLines(Path file, List<ConfigProblem> problems) {
        try {
            return ConfigFiles.lines(file);
        } catch (InvalidConfigException e) {
            problems.addAll(e.problems());
            return List.of();
        }
    }

    /** No users and no aliases: what {@code check} builds the pipeline with when the passwd-file has problems. */
    public static Directory empty(List<String> domains) {
        return new Directory(Set.copyOf(domains), List.of(), Map.of(), OptionalLong.empty());
    }
}
