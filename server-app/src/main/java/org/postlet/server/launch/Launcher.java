package org.postlet.server.launch;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.postlet.mailet.InvalidAddressException;
import org.postlet.mailet.MailAddress;
import org.postlet.mailet.ProcessingState;
import org.postlet.server.PidFile;
import org.postlet.server.PostletServer;
import org.postlet.server.ReloadStatus;
import org.postlet.server.auth.PasswordHashes;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;
import org.postlet.server.config.ServerConfig;
import org.postlet.server.config.ServerConfigLoader;
import org.postlet.server.context.RunMode;
import org.postlet.server.pipeline.Pipeline;
import org.postlet.server.pipeline.QueuedMail;
import org.postlet.queue.Lease;
import org.postlet.queue.MailEnvelope;
import org.postlet.queue.MessageContent;
import org.postlet.queue.Origin;
import org.postlet.queue.file.FileMailQueue;

/**
 * {@code bin/postlet}: the commands of docs/commands.md. Exit codes: 0 ok, 1 invalid input or
 * configuration, 2 usage error.
 */
public final class Launcher {

    static final int OK = 0;
    static final int INVALID = 1;
    static final int USAGE = 2;

    /** How long {@code reload} waits for the server's answer; a pipeline builds in well under a second. */
    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(30);

    private static final String USAGE_TEXT = """
            usage: postlet <command> [options]
              run   [--conf DIR]   run the server in the foreground (Ctrl-C stops it)
              check [--conf DIR]   validate the configuration and the pipeline without opening ports
              reload [--conf DIR]  have the running server check and swap in the pipeline file (SIGHUP); says whether it did
              trace [--conf DIR] --from ADDR --to ADDR[,ADDR...] FILE.eml
                                   run one message through the pipeline without delivering anything and
                                   print the path each recipient takes
              passwd [--scheme SHA512-CRYPT|BLF-CRYPT]
                                   ask for a password twice on a terminal (or read one line of stdin),
                                   print a Dovecot passwd-file hash
              requeue [--conf DIR] FILE...
                                   put mails kept by ToRepository (e.g. var/error/*) back into processing
              queue list [--conf DIR]
                                   the running server's queue, one line per mail: id, age, size, sender,
                                   recipients, state (active, deferred, held), last error
              queue show|hold|release|delete ID [--conf DIR]
                                   one mail in full; keep it out of processing; let it go again; drop it
              queue flush [--conf DIR]
                                   try every deferred mail again now
              repository list [NAME] [--conf DIR]
                                   the repositories (var/error...) with their counts, or the mails kept in one
              repository show|requeue|delete NAME ID [--conf DIR]
                                   a kept mail in full; put it back into processing; delete it
              dkim keygen --domain D --selector S [--type rsa|ed25519] [--conf DIR]
                                   write DIR/dkim/D.S.pem and print the DNS TXT record to publish
            DIR defaults to the conf/ folder of the installation.""";

    private final PrintStream out;
    private final PrintStream err;
    private final Path home;

    Launcher(PrintStream out, PrintStream err, Path home) {
        this.out = out;
        this.err = err;
        this.home = home;
    }

    public static void main(String[] args) {
        Path home = Path.of(System.getProperty("postlet.home", ".")).toAbsolutePath().normalize();
        System.exit(new Launcher(System.out, System.err, home).execute(args));
    }

    /** Runs one command and returns its exit code. */
    int execute(String[] args) {
        if (args.length == 0) {
            err.println(USAGE_TEXT);
            return USAGE;
        }
        String command = args[0];
        Path conf = home.resolve("conf");
        Map<String, String> options = new HashMap<>();
        List<String> positional = new ArrayList<>();
        Set<String> known = switch (command) {
            case "trace" -> Set.of("--conf", "--from", "--to");
            case "passwd" -> Set.of("--scheme");
            case "dkim" -> Set.of("--conf", "--domain", "--selector", "--type");
            default -> Set.of("--conf");
        };
        for (int i = 1; i < args.length; i++) {
            if (known.contains(args[i]) && i + 1 < args.length) {
                options.put(args[i], args[++i]);
            } else if (!args[i].startsWith("-") && (command.equals("requeue") || command.equals("trace")
                    || command.equals("queue") || command.equals("repository")
                    || command.equals("dkim") && positional.isEmpty())) {
                positional.add(args[i]);
            } else {
                err.println("postlet " + command + ": unknown option '" + args[i] + "'\n" + USAGE_TEXT);
                return USAGE;
            }
        }
        if (options.containsKey("--conf")) {
            conf = Path.of(options.get("--conf")).toAbsolutePath().normalize();
        }
        List<Path> files = positional.stream().map(Path::of).toList();
        return switch (command) {
            case "run" -> run(conf);
            case "check" -> check(conf);
            case "reload" -> reload(conf);
            case "requeue" -> requeue(conf, files);
            case "queue" -> queue(conf, positional);
            case "repository" -> repository(conf, positional);
            case "trace" -> trace(conf, options.get("--from"), options.get("--to"), files);
            case "passwd" -> passwd(options.getOrDefault("--scheme", "SHA512-CRYPT"));
            case "dkim" -> positional.equals(List.of("keygen"))
                    ? new DkimKeygen(out, err).run(conf, options.get("--domain"), options.get("--selector"),
                            options.getOrDefault("--type", "rsa"))
                    : usageError("postlet dkim: the one subcommand is keygen, e.g. bin/postlet dkim keygen"
                            + " --domain example.test --selector s2026");
            case "help", "--help", "-h" -> {
                out.println(USAGE_TEXT);
                yield OK;
            }
            default -> {
                err.println("postlet: unknown command '" + command + "'\n" + USAGE_TEXT);
                yield USAGE;
            }
        };
    }

    private int usageError(String message) {
        err.println(message);
        return USAGE;
    }

    private int check(Path conf) {
        try {
            PostletServer.Checked checked = PostletServer.check(conf, home);
            checked.pipeline().destroy();
            out.println(checked.config().file() + ": valid — " + checked.config().smtp().listeners().size()
                    + " listener(s), domains " + checked.config().domains() + ", " + checked.pipeline().states().size()
                    + " processor(s) in " + checked.config().pipeline().getFileName());
            // stdout keeps its one-line summary for scripts; the settings that decide who may relay
            // and how are for the person reading, as postconf -n shows them.
            checked.config().effectiveSecuritySettings().forEach(line -> err.println("  " + line));
            return OK;
        } catch (InvalidConfigException e) {
            printProblems(e);
            return INVALID;
        }
    }

    private int trace(Path conf, String from, String to, List<Path> files) {
        if (from == null || to == null || files.size() != 1) {
            err.println("postlet trace: give --from, --to and one message file\n" + USAGE_TEXT);
            return USAGE;
        }
        Path file = files.get(0);
        Optional<MailAddress> sender;
        List<MailAddress> recipients = new ArrayList<>();
        try {
            sender = from.isEmpty() || from.equals("<>") ? Optional.empty() : Optional.of(MailAddress.parse(from));
            for (String r : to.split(",")) {
                recipients.add(MailAddress.parse(r));
            }
        } catch (InvalidAddressException e) {
            err.println("postlet trace: bad address: " + e.getMessage());
            return INVALID;
        }
        byte[] message;
        try {
            message = Files.readAllBytes(file); // a single message to look at, not a spool: memory is fine
        } catch (IOException e) {
            err.println("postlet trace: cannot read " + file + ": " + e.getMessage());
            return INVALID;
        }
        PostletServer.Checked checked;
        try {
            checked = PostletServer.check(conf, home, RunMode.DRY_RUN, new PrintedLog(out));
        } catch (InvalidConfigException e) {
            printProblems(e);
            return INVALID;
        }
        MailEnvelope envelope = new MailEnvelope(sender, recipients, new Origin.Trace(file.toString()), Instant.now());
        QueuedMail mail = new QueuedMail(new Lease("TRACE", envelope, ProcessingState.ROOT, Map.of(), recipients,
                Optional.empty(), false, MessageContent.of(message)), Clock.systemUTC());
        TraceReport report = new TraceReport(recipients);
        try {
            checked.pipeline().process(mail, report);
        } catch (Pipeline.PropagatedFailure e) {
            out.println("processing failed and the mail would stay queued: " + e.getMessage());
        } finally {
            checked.pipeline().destroy();
        }
        report.print(out);
        return OK;
    }

    private int passwd(String schemeName) {
        Optional<PasswordHashes.Scheme> scheme = PasswordHashes.Scheme.of(schemeName);
        if (scheme.isEmpty()) {
            err.println("postlet passwd: unknown scheme '" + schemeName + "' — use SHA512-CRYPT or BLF-CRYPT");
            return USAGE;
        }
        String password;
        Console console = terminal();
        if (console != null) {
            // On a terminal: prompt, no echo, typed twice so a typo does not lock the user out.
            char[] first = console.readPassword("New password: ");
            char[] second = first == null ? null : console.readPassword("Repeat the password: ");
            if (first == null || second == null) {
                err.println("postlet passwd: no password read");
                return INVALID;
            }
            if (!Arrays.equals(first, second)) {
                err.println("postlet passwd: the two passwords differ; nothing was printed — run it again");
                return INVALID;
            }
            password = new String(first);
        } else {
            try {
                password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                err.println("postlet passwd: cannot read the password: " + e.getMessage());
                return INVALID;
            }
        }
        if (password == null || password.isEmpty()) {
            err.println("postlet passwd: no password given — type one, or e.g. echo 'secret' | bin/postlet passwd");
            return INVALID;
        }
        try {
            out.println(PasswordHashes.hash(scheme.get(), password));
            return OK;
        } catch (IllegalArgumentException e) {
            err.println("postlet passwd: " + e.getMessage());
            return USAGE;
        }
    }

    /**
     * Signals the running server and reports its own answer, which it writes to {@link ReloadStatus}:
     * the server is the one that builds the new pipeline (with its {@code lib/ext}, as its user),
     * so only it can say whether the new pipeline is in use.
     */
    /**
     * The terminal, when stdin and stdout are one; null when piped. From Java 22 on,
     * {@link System#console()} also answers when redirected, so its {@code isTerminal()} decides.
     */
    private static Console terminal() {
        Console console = System.console();
        if (console == null) {
            return null;
        }
        try {
            Object isTerminal = Console.class.getMethod("isTerminal").invoke(console);
            return Boolean.TRUE.equals(isTerminal) ? console : null;
        } catch (ReflectiveOperationException e) {
            return console; // Java 17-21: a console is a terminal
        }
    }

    private int reload(Path conf) {
        Path spool;
        try {
            spool = new ServerConfigLoader().load(conf).spool();
        } catch (InvalidConfigException e) {
            printProblems(e);
            err.println("the running server keeps its pipeline");
            return INVALID;
        }
        Path pidFile = spool.resolve(PidFile.NAME);
        ReloadStatus status = new ReloadStatus(spool.resolve(ReloadStatus.NAME));
        try {
            Optional<ProcessHandle> server = PidFile.running(pidFile);
            if (server.isEmpty()) {
                err.println("postlet reload: no server is running with this configuration (no live process in " + pidFile
                        + ") — start it with bin/postlet run");
                return INVALID;
            }
            long pid = server.get().pid();
            String before = status.current();
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid)).inheritIO().start();
            if (kill.waitFor() != 0) {
                err.println("postlet reload: cannot signal process " + pid);
                return INVALID;
            }
            Optional<ReloadStatus.Answer> answer = status.await(pid, before, RELOAD_TIMEOUT);
            if (answer.isEmpty()) {
                err.println("postlet reload: process " + pid + " did not answer within " + RELOAD_TIMEOUT.toSeconds()
                        + " s — see its log for whether the new pipeline is in use");
                return INVALID;
            }
            if (!answer.get().accepted()) {
                answer.get().problems().forEach(err::println);
                err.println(answer.get().problems().size() + " problem(s); the running server (process " + pid
                        + ") refused the new pipeline and keeps its pipeline");
                return INVALID;
            }
            out.println("reloaded: process " + pid + " uses the new pipeline for all new mail");
            return OK;
        } catch (IOException e) {
            err.println("postlet reload: " + e.getMessage());
            return INVALID;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return INVALID;
        }
    }

    private int requeue(Path conf, List<Path> files) {
        if (files.isEmpty()) {
            err.println("postlet requeue: name the kept mails to requeue, e.g. var/error/*\n" + USAGE_TEXT);
            return USAGE;
        }
        Path spool;
        try {
            spool = new ServerConfigLoader().load(conf).spool();
        } catch (InvalidConfigException e) {
            printProblems(e);
            return INVALID;
        }
        int failed = 0;
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                err.println("not requeued: " + file + ": " + (Files.isDirectory(file) ? "is a folder, not a kept mail"
                        : "no such file") + " — name the kept mails themselves, e.g. var/error/*");
                failed++;
                continue;
            }
            try {
                String id = FileMailQueue.drop(spool, file);
                out.println(file + ": requeued as " + id);
            } catch (AccessDeniedException e) {
                err.println("not requeued: " + file + ": permission denied for user " + System.getProperty("user.name")
                        + " on " + e.getFile() + " — run it as the user the server runs as");
                failed++;
            } catch (IOException e) {
                String message = e.getMessage() == null ? e.toString() : e.getMessage();
                err.println("not requeued: " + (message.startsWith(file.toString()) ? message
                        : file + ": " + e.getClass().getSimpleName() + ": " + message));
                failed++;
            }
        }
        return failed == 0 ? OK : INVALID;
    }

    private int queue(Path conf, List<String> words) {
        Optional<QueueCommand.Action> action = words.isEmpty() ? Optional.empty() : action(QueueCommand.Action.class, words.get(0));
        if (action.isEmpty() || words.size() != (action.get().needsId ? 2 : 1)) {
            err.println("postlet queue: give list, flush, or show|hold|release|delete and a queue id\n" + USAGE_TEXT);
            return USAGE;
        }
        Optional<ServerConfig> config = adminConfig(conf);
        return config.isEmpty() ? INVALID : new QueueCommand(out, err).run(config.get(), action.get(),
                words.size() > 1 ? Optional.of(words.get(1)) : Optional.empty());
    }

    private int repository(Path conf, List<String> words) {
        Optional<RepositoryCommand.Action> action = words.isEmpty() ? Optional.empty()
                : action(RepositoryCommand.Action.class, words.get(0));
        if (action.isEmpty() || words.size() - 1 < action.get().fewest || words.size() - 1 > action.get().most) {
            err.println("postlet repository: give list [NAME], or show|requeue|delete with a repository name and a mail id\n"
                    + USAGE_TEXT);
            return USAGE;
        }
        Optional<ServerConfig> config = adminConfig(conf);
        return config.isEmpty() ? INVALID
                : new RepositoryCommand(out, err).run(config.get(), action.get(), words.subList(1, words.size()));
    }

    /** The sub-command a word names, in any case ({@code LIST}, {@code list}), if it names one. */
    private static <A extends Enum<A>> Optional<A> action(Class<A> actions, String word) {
        for (A a : actions.getEnumConstants()) {
            if (a.name().equalsIgnoreCase(word)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The configuration the admin commands find the server through; empty (problems printed) if it is invalid. */
    private Optional<ServerConfig> adminConfig(Path conf) {
        try {
            return Optional.of(new ServerConfigLoader().load(conf));
        } catch (InvalidConfigException e) {
            e.problems().forEach(err::println);
            err.println(e.problems().size() + " problem(s) in the configuration; nothing was asked of the server");
            return Optional.empty();
        }
    }

    private int run(Path conf) {
        CountDownLatch stop = new CountDownLatch(1);
        StopSignals.onStop(stop::countDown);
        PostletServer server;
        try {
            server = PostletServer.start(conf, home);
        } catch (InvalidConfigException e) {
            printProblems(e);
            return INVALID;
        } catch (IOException | RuntimeException e) {
            err.println("postlet: cannot start: " + e.getMessage());
            return INVALID;
        }
        StopSignals.onReload(() -> new Thread(server::reloadPipeline, "postlet-reload").start());
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
        return OK;
    }

    private void printProblems(InvalidConfigException e) {
        for (ConfigProblem p : e.problems()) {
            err.println(p);
        }
        err.println(e.problems().size() + " problem(s); nothing was started");
    }
}
