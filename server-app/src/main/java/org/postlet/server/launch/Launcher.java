package org.postlet.server.launch;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.postlet.server.PostletServer;
import org.postlet.server.config.ConfigProblem;
import org.postlet.server.config.InvalidConfigException;
import org.postlet.server.config.ServerConfigLoader;
import org.postlet.server.spool.FileSpool;

/**
 * {@code bin/postlet}: the commands of contract §1. Exit codes: 0 ok, 1 invalid input or
 * configuration, 2 usage error.
 */
public final class Launcher {

    static final int OK = 0;
    static final int INVALID = 1;
    static final int USAGE = 2;

    private static final String USAGE_TEXT = """
            usage: postlet <command> [options]
              run   [--conf DIR]   run the server in the foreground (Ctrl-C stops it)
              check [--conf DIR]   validate the configuration and the pipeline without opening ports
              requeue [--conf DIR] FILE...
                                   put mails kept by ToRepository (e.g. var/error/*) back into processing
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
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < rest.size(); i++) {
            if (rest.get(i).equals("--conf") && i + 1 < rest.size()) {
                conf = Path.of(rest.get(i + 1)).toAbsolutePath().normalize();
                i++;
            } else if (command.equals("requeue") && !rest.get(i).startsWith("-")) {
                files.add(Path.of(rest.get(i)));
            } else {
                err.println("postlet " + command + ": unknown option '" + rest.get(i) + "'\n" + USAGE_TEXT);
                return USAGE;
            }
        }
        return switch (command) {
            case "run" -> run(conf);
            case "check" -> check(conf);
            case "requeue" -> requeue(conf, files);
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

    private int check(Path conf) {
        try {
            PostletServer.Checked checked = PostletServer.check(conf, home);
            checked.pipeline().destroy();
            out.println(checked.config().file() + ": valid — " + checked.config().smtp().listeners().size()
                    + " listener(s), domains " + checked.config().domains() + ", " + checked.pipeline().states().size()
                    + " processor(s) in " + checked.config().pipeline().getFileName());
            return OK;
        } catch (InvalidConfigException e) {
            printProblems(e);
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
            try {
                String id = FileSpool.drop(spool, file);
                out.println(file + ": requeued as " + id);
            } catch (java.io.IOException e) {
                err.println("not requeued: " + e.getMessage());
                failed++;
            }
        }
        return failed == 0 ? OK : INVALID;
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
        } catch (java.io.IOException | RuntimeException e) {
            err.println("postlet: cannot start: " + e.getMessage());
            return INVALID;
        }
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
