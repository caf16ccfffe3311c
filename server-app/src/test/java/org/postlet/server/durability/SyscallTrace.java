package org.postlet.server.durability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The system calls of a server run under {@code strace -f -yy} ({@link #STRACE}), in the order
 * strace saw them. Each call has the position where it started and where it returned (the same
 * line, or a later {@code <... resumed>} line when another thread's call came in between), so
 * "A returned before B started" is {@code a.end() < b.start()}.
 */
final class SyscallTrace {

    /** The strace options this class reads: every thread, fds as paths and socket addresses. */
    static List<String> strace(Path output) {
        return List.of("strace", "-f", "-qq", "-tt", "-yy", "-s", "8192", "--seccomp-bpf",
                "-e", "trace=fsync,fdatasync,write,writev,pwrite64,pwritev,sendto,sendmsg,openat", "-o", output.toString());
    }

    /** One call: its name, the path (or socket) of its fd or of the file it opens, and what it wrote. */
    record Call(String name, String target, String data, int start, int end, boolean succeeded) {
        boolean isSync() {
            return name.equals("fsync") || name.equals("fdatasync");
        }

        boolean onSocket() {
            return target.startsWith("TCP");
        }
    }

    private static final Pattern LINE = Pattern.compile("^(\\d+)\\s+\\S+\\s+(.*)$");
    private static final Pattern CALL = Pattern.compile("^(\\w+)\\((.*)$");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. (\\w+) resumed>(.*)$");
    /** The first argument, an fd with its path: {@code 66</tmp/x/queue/ID>} or {@code 65<TCP:[...]>}. */
    private static final Pattern FD = Pattern.compile("^\\d+<(.*?)>(?:,|\\)|\\s)");
    private static final Pattern OPENAT = Pattern.compile("^[^,]*, \"((?:[^\"\\\\]|\\\\.)*)\", (\\S+?)[,)]");
    private static final Pattern RESULT = Pattern.compile("\\)\\s+=\\s+(-?\\d+)");

    private final List<Call> calls;

    private SyscallTrace(List<Call> calls) {
        this.calls = calls;
    }

    static SyscallTrace read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        List<Call> calls = new ArrayList<>();
        Map<String, Call> unfinished = new HashMap<>(); // by thread id
        for (int i = 0; i < lines.size(); i++) {
            Matcher line = LINE.matcher(lines.get(i));
            if (!line.matches()) {
                continue;
            }
            String tid = line.group(1);
            String rest = line.group(2);
            Matcher resumed = RESUMED.matcher(rest);
            if (resumed.matches()) {
                Call begun = unfinished.remove(tid);
                if (begun != null) {
                    calls.add(new Call(begun.name(), begun.target(), begun.data(), begun.start(), i, succeeded(resumed.group(2))));
                }
                continue;
            }
            Matcher call = CALL.matcher(rest);
            if (!call.matches()) {
                continue; // signals, exits
            }
            String name = call.group(1);
            String args = call.group(2);
            String target;
            if (name.equals("openat")) {
                Matcher open = OPENAT.matcher(args);
                target = open.find() ? open.group(1) + " " + open.group(2) : "";
            } else {
                Matcher fd = FD.matcher(args);
                target = fd.find() ? fd.group(1) : "";
            }
            Call c = new Call(name, target, args, i, i, succeeded(args));
            if (args.endsWith("<unfinished ...>")) {
                unfinished.put(tid, c);
            } else {
                calls.add(c);
            }
        }
        calls.sort((a, b) -> Integer.compare(a.start(), b.start()));
        return new SyscallTrace(List.copyOf(calls));
    }

    private static boolean succeeded(String tail) {
        Matcher r = RESULT.matcher(tail);
        return r.find() && !r.group(1).startsWith("-");
    }

    List<Call> calls() {
        return calls;
    }

    /** The successful syncs of exactly this path. */
    List<Call> syncsOf(Path path) {
        String p = path.toString();
        return calls.stream().filter(c -> c.isSync() && c.succeeded() && c.target().equals(p)).toList();
    }

    /** The successful writes to exactly this file. */
    List<Call> writesTo(Path path) {
        String p = path.toString();
        return calls.stream().filter(c -> c.name().startsWith("write") && c.succeeded() && c.target().equals(p)).toList();
    }

    /** The opens that created this file (O_CREAT). */
    List<Call> creationsOf(Path path) {
        String p = path.toString() + " ";
        return calls.stream().filter(c -> c.name().equals("openat") && c.succeeded() && c.target().startsWith(p)
                && c.target().contains("O_CREAT")).toList();
    }

    /** The first write on a socket whose data contains {@code text}. */
    java.util.Optional<Call> firstSocketWrite(String text) {
        return calls.stream().filter(c -> c.onSocket() && c.data().contains(text)).findFirst();
    }
}
