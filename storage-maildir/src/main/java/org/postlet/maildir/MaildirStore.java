package org.postlet.maildir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.postlet.mailet.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers messages into Maildir mailboxes (cr.yp.to/proto/maildir.html) with Maildir++
 * sub-folders, laid out so that Dovecot with {@code mail_location = maildir:<root>/<layout>} serves
 * them as they are.
 *
 * <p>Each delivery writes {@code tmp/<unique>}, fsyncs it and renames it to
 * {@code new/<unique>,S=<size>}, so a reader never sees a partial file. The rename survives a crash
 * only once {@code new/} is fsync'd too: {@link #deliverDurably} does that before it returns;
 * {@link #deliver} leaves it to the caller ({@link DeliveryResult#pendingSync()}), so that one fsync
 * of a busy mailbox's {@code new/} can cover many deliveries. The file starts with
 * {@code Return-Path:} and {@code Delivered-To:}, followed by the message with LF line endings.
 *
 * <p>Mailbox paths come from a layout with Dovecot's variables ({@code %d/%n} by default). Domain and
 * local part are lower-cased; a local part or domain that could name a path outside the root is
 * refused with {@link UnsafeMailboxException} before anything touches the file system.
 *
 * <p>Thread-safe: any number of threads may deliver at once, also to the same mailbox. Use one store
 * per root in a process: unique names are made unique by a per-store counter.
 */
public final class MaildirStore {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirStore.class);

    /** Big enough that a message costs few system calls, small enough to never matter for memory. */
    private static final int BUFFER_SIZE = 64 * 1024;
    /** Write buffers kept for reuse: more than the usual number of delivering workers. */
    private static final int KEPT_BUFFERS = 16;
    /** Below this much free space a write failure is reported as a full disk. */
    private static final long LOW_SPACE = 1024 * 1024;
    /** Leaves room under the usual 255-byte file name limit for the leading '.'. */
    private static final int MAX_FOLDER_NAME = 200;
    /** Dovecot marks a Maildir++ sub-folder with this empty file. */
    private static final String MAILDIRFOLDER = "maildirfolder";
    private static final String INBOX = "INBOX";
    private static final Set<StandardOpenOption> CREATE_NEW_FOR_WRITING =
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    /** A file in {@code tmp/} this old is a delivery that died (Dovecot's rule: none takes this long). */
    static final Duration STALE_TMP = Duration.ofHours(36);
    /** A maildir's {@code tmp/} is listed for stale files at most this often. */
    static final Duration SWEEP_INTERVAL = Duration.ofHours(1);
    private final Path root;
    private final MailboxLayout layout;
    private final String host;
    private final long pid = ProcessHandle.current().pid();
    private final AtomicLong sequence = new AtomicLong();
    private final FileAttribute<?>[] directoryAttributes;
    private final FileAttribute<?>[] fileAttributes;
    private final QuotaRules quotas;
    /** When each maildir's {@code tmp/} was last swept of stale files, by this store. */
    private final Map<Path, Instant> sweptAt = new ConcurrentHashMap<>();
    /**
     * Maildirs (with their {@code cur/ new/ tmp/} and, for a folder, its marker) this store has
     * created or found complete, so a delivery does not stat them again; one that is deleted behind
     * our back is noticed when its {@code tmp/} file cannot be created, then forgotten and created again.
     */
    private final Set<Path> knownMaildirs = ConcurrentHashMap.newKeySet();
    /**
     * Write buffers between deliveries: allocating and zeroing 64 KiB per message showed in the
     * profile and in the garbage collector's work. A delivery takes one (or makes one if none is
     * free) and puts it back when its file is written.
     */
    private final BlockingQueue<byte[]> writeBuffers = new ArrayBlockingQueue<>(KEPT_BUFFERS);

    /**
     * @param root     the directory holding all mailboxes; created on first delivery if missing
     * @param layout   where a mailbox lives below {@code root}, with Dovecot's variables {@code %d}
     *                 (domain), {@code %n} (local part) and {@code %u} (full address), e.g. {@code %d/%n}
     * @param hostname this host's name, part of every file name ({@code /} and {@code :} are escaped
     *                 as {@code \057} and {@code \072}, as the maildir specification says)
     * @throws IllegalArgumentException if the layout or the host name is not usable, saying why
     */
    public MaildirStore(Path root, String layout, String hostname) {
        this(root, layout, hostname, QuotaRules.NONE);
    }

    /**
     * A store that refuses deliveries taking a mailbox over its limit with an {@link OverQuotaException}.
     *
     * @param quotas the storage limit of each mailbox
     */
    public MaildirStore(Path root, String layout, String hostname, QuotaRules quotas) {
        Objects.requireNonNull(root, "root");
        this.quotas = Objects.requireNonNull(quotas, "quotas");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(hostname, "hostname");
        this.root = root.toAbsolutePath().normalize();
        this.layout = MailboxLayout.parse(layout);
        this.host = sanitiseHostname(hostname);
        this.directoryAttributes = OwnerOnly.directory(this.root);
        this.fileAttributes = OwnerOnly.file(this.root);
    }

    /** The normalised absolute root this store delivers below. */
    public Path root() {
        return root;
    }

    /**
     * The mailbox (INBOX) directory of a recipient. Computes a path only and never touches the file
     * system, so it is cheap enough for the SMTP server to call at RCPT time.
     *
     * @throws UnsafeMailboxException if the local part or domain could lead outside the root: it is
     *                                empty, starts with {@code .}, or contains {@code /}, {@code \},
     *                                {@code ..}, NUL or another control character
     */
    public Path mailboxOf(MailAddress recipient) {
        Objects.requireNonNull(recipient, "recipient");
        String local = recipient.localPart().toLowerCase(Locale.ROOT);
        String domain = recipient.domain().toLowerCase(Locale.ROOT);
        checkPathPart("local part", local, recipient.toString());
        checkPathPart("domain", domain, recipient.toString());
        List<String> levels = layout.expand(local, domain);
        Path mailbox = root;
        try {
            for (String level : levels) {
                mailbox = mailbox.resolve(level);
            }
        } catch (InvalidPathException e) {
            throw new UnsafeMailboxException("no mailbox for " + recipient + ": the file system does not accept the name ("
                    + e.getReason() + ")");
        }
        // Belt and braces: the checks above should make this impossible, whatever the layout.
        Path normalised = mailbox.normalize();
        if (!normalised.startsWith(root) || normalised.equals(root)) {
            throw new UnsafeMailboxException("no mailbox for " + recipient + ": layout \"" + layout
                    + "\" would put it at " + normalised + ", which is not inside the maildir root " + root);
        }
        return normalised;
    }

    /**
     * The Maildir++ folder of a recipient: {@code <mailbox>/.<folder>}, or the mailbox itself for an
     * empty folder or {@code INBOX}. Levels are separated with {@code .}: {@code Work.Projects} is
     * {@code <mailbox>/.Work.Projects}. Never touches the file system.
     *
     * @throws UnsafeMailboxException if the address is unsafe (see {@link #mailboxOf}) or the folder
     *                                name has anything but ASCII letters, digits, {@code -},
     *                                {@code _}, space and {@code .} between non-empty levels
     */
    public Path folderOf(MailAddress recipient, Optional<String> folder) {
        Objects.requireNonNull(folder, "folder");
        return folderIn(mailboxOf(recipient), recipient, folder);
    }

    /**
     * Stores one message in {@code new/} of the recipient's mailbox or folder, creating the maildir on
     * first use, <em>without</em> the fsync of {@code new/} that makes it survive a crash: that fsync
     * is returned as {@link DeliveryResult#pendingSync()}, and the delivery is durable only once the
     * caller has performed it ({@link PendingSync#sync()}) or handed it to someone who will. Readers
     * see the complete message at once. Use {@link #deliverDurably} to have the store sync at once.
     *
     * @return where the message is, its size on disk and the fsync still owed
     * @throws UnsafeMailboxException if the recipient or folder cannot name a mailbox (permanent)
     * @throws IOException            if the message could not be stored, including a full disk and a
     *                                failure of the message writer; nothing is left in {@code tmp/} or
     *                                {@code new/}, so the delivery can simply be retried
     */
    public DeliveryResult deliver(Delivery delivery) throws IOException {
        Objects.requireNonNull(delivery, "delivery");
        MailAddress recipient = delivery.recipient();
        Path mailbox = mailboxOf(recipient);
        Path maildir = folderIn(mailbox, recipient, delivery.folder());

        boolean checkedNow = prepareMaildir(recipient, mailbox, maildir);
        sweepStaleTmp(maildir);
        Path newDir = maildir.resolve("new");
        TmpFile created;
        try {
            created = createTmpFile(maildir.resolve("tmp"), delivery.deliveryId());
        } catch (IOException e) {
            if (checkedNow) {
                throw failure(recipient, "creating a file in " + maildir.resolve("tmp") + " failed", maildir, e);
            }
            // A maildir we knew was changed behind our back: usually deleted (NoSuchFileException) by an
            // operator removing the mailbox, or replaced by a file. Check and create it again, then
            // retry once; what still fails is reported, with the checks' actionable message.
            LOG.info("{} changed behind the store's back ({}); checking it again for {}", maildir, e.toString(), recipient);
            forget(mailbox, maildir);
            prepareMaildir(recipient, mailbox, maildir);
            created = createTmpFileOrFail(maildir, recipient, delivery.deliveryId());
        }
        Path tmp = created.path();
        FileChannel channel = created.channel();

        // From here on the tmp file is ours: every way out either renames it into new/ or deletes it.
        String step = "writing " + tmp;
        try {
            long size;
            try (channel) {
                CountingOutputStream counted = new CountingOutputStream(Channels.newOutputStream(channel));
                byte[] buffer = writeBuffers.poll();
                if (buffer == null) {
                    buffer = new byte[BUFFER_SIZE];
                }
                try {
                    OutputStream file = new BorrowedBufferOutputStream(counted, buffer);
                    file.write(traceHeaders(delivery));
                    // Once closed, the message stream refuses further writes: a writer that kept it
                    // cannot reach the buffer after it went back for another delivery.
                    try (CrlfToLfOutputStream message = new CrlfToLfOutputStream(file)) {
                        delivery.content().writeTo(message);
                    }
                    file.flush();
                } finally {
                    writeBuffers.offer(buffer);
                }
                // Counted rather than asked of the file system: one system call less per delivery.
                size = counted.count();
                step = "checking the quota of " + recipient;
                checkQuota(recipient, mailbox, size);
                step = "syncing " + tmp + " to disk";
                channel.force(true);
            }
            step = "moving " + tmp + " into " + newDir;
            Path inNew = moveToNew(tmp, newDir, created.unique(), size);
            LOG.debug("delivered {} bytes for {} to {} (fsync of {} pending)", size, recipient, inNew, newDir);
            return new DeliveryResult(recipient, inNew, size, Optional.of(new PendingSync(newDir)));
        } catch (IOException e) {
            discard(tmp);
            if (!(e instanceof OverQuotaException)) {
                forget(mailbox, maildir); // the next delivery checks the maildir again, in case that was the problem
            }
            throw failure(recipient, step + " failed", maildir, e);
        } catch (RuntimeException | Error e) {
            discard(tmp);
            throw e;
        }
    }

    /**
     * {@link #deliver} and the fsync of {@code new/}: once this returns, the message survives a crash.
     *
     * @return the delivery, with nothing pending
     * @throws IOException as {@link #deliver}; also if the fsync failed, in which case the message has
     *                     been removed from {@code new/} again so the delivery can simply be retried
     */
    public DeliveryResult deliverDurably(Delivery delivery) throws IOException {
        DeliveryResult result = deliver(delivery);
        try {
            return result.makeDurable();
        } catch (IOException e) {
            discard(result.file());
            throw failure(delivery.recipient(), "syncing the directory " + result.file().getParent() + " to disk failed",
                    result.file().getParent().getParent(), e);
        }
    }

    /**
     * Creates the maildir (and, for a folder, the mailbox and the folder marker) unless this store
     * already knows it to be complete: after the first delivery this costs no system call.
     *
     * @return whether the maildir was checked now, false if it was known
     */
    private boolean prepareMaildir(MailAddress recipient, Path mailbox, Path maildir) throws IOException {
        if (knownMaildirs.contains(maildir)) {
            return false;
        }
        try {
            createMaildir(mailbox);
            if (!maildir.equals(mailbox)) {
                createMaildir(maildir);
                createMaildirfolderMarker(maildir);
            }
        } catch (IOException e) {
            throw failure(recipient, "creating the maildir " + maildir + " failed", maildir, e);
        }
        knownMaildirs.add(maildir);
        return true;
    }

    private void forget(Path mailbox, Path maildir) {
        knownMaildirs.remove(maildir);
        knownMaildirs.remove(mailbox);
    }

    /**
     * Removes files left in {@code tmp/} by deliveries that died ({@code kill -9}, a power cut), once
     * they are older than {@link #STALE_TMP}; done on delivery, at most once per maildir per
     * {@link #SWEEP_INTERVAL}, so the first delivery after a start cleans up. Never fails a delivery.
     */
    private void sweepStaleTmp(Path maildir) {
        Instant now = Instant.now();
        Instant last = sweptAt.get(maildir);
        if (last != null && now.isBefore(last.plus(SWEEP_INTERVAL))) {
            return;
        }
        boolean ours = last == null ? sweptAt.putIfAbsent(maildir, now) == null : sweptAt.replace(maildir, last, now);
        if (!ours) {
            return; // another thread is sweeping it
        }
        Instant staleBefore = now.minus(STALE_TMP);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(maildir.resolve("tmp"))) {
            for (Path file : files) {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (attributes.isRegularFile() && attributes.lastModifiedTime().toInstant().isBefore(staleBefore)) {
                    Files.deleteIfExists(file);
                    LOG.info("removed {}, a partial delivery from {} (older than {} hours)", file,
                            attributes.lastModifiedTime(), STALE_TMP.toHours());
                }
            }
        } catch (IOException e) {
            LOG.warn("could not clean stale files out of {}: {}", maildir.resolve("tmp"), e.toString());
        }
    }

    /**
     * How many bytes the mailbox holds in all its folders, from the {@code ,S=} sizes in the file
     * names (the file size where a name has none). Lists every folder: not free for big mailboxes.
     */
    public long usage(MailAddress recipient) throws IOException {
        Path mailbox = mailboxOf(recipient);
        if (!Files.isDirectory(mailbox)) {
            return 0;
        }
        long total = 0;
        List<Path> maildirs = new ArrayList<>(List.of(mailbox));
        try (Stream<Path> children = Files.list(mailbox)) {
            children.filter(c -> c.getFileName().toString().startsWith(".") && Files.isDirectory(c)).forEach(maildirs::add);
        }
        for (Path maildir : maildirs) {
            for (String sub : new String[] {"new", "cur"}) {
                Path dir = maildir.resolve(sub);
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        total += sizeOf(f);
                    }
                }
            }
        }
        return total;
    }

    private static long sizeOf(Path file) throws IOException {
        String name = file.getFileName().toString();
        int s = name.indexOf(",S=");
        if (s >= 0) {
            int end = s + 3;
            while (end < name.length() && Character.isDigit(name.charAt(end))) {
                end++;
            }
            if (end > s + 3) {
                return Long.parseLong(name.substring(s + 3, end));
            }
        }
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0; // moved by a reader (new/ to cur/) while we listed
        }
    }

    private void checkQuota(MailAddress recipient, Path mailbox, long size) throws IOException {
        OptionalLong limit = quotas.storageLimit(recipient);
        if (limit.isEmpty()) {
            return;
        }
        long used = usage(recipient);
        if (used + size > limit.getAsLong()) {
            throw new OverQuotaException("mailbox " + recipient + " is over quota: " + used + " bytes used + " + size
                    + " for this message > limit " + limit.getAsLong());
        }
    }

    /** A file just created in {@code tmp/}, open for writing. */
    private record TmpFile(Path path, String unique, FileChannel channel) {
    }

    /**
     * Creates a new file in {@code tmpDir}, exclusively ({@code O_CREAT|O_EXCL}).
     *
     * @throws NoSuchFileException if {@code tmpDir} does not exist
     */
    private TmpFile createTmpFile(Path tmpDir, Optional<String> deliveryId) throws IOException {
        while (true) {
            String unique = nextUnique(deliveryId);
            Path tmp = tmpDir.resolve(unique);
            try {
                FileChannel channel = FileChannel.open(tmp, CREATE_NEW_FOR_WRITING, fileAttributes);
                return new TmpFile(tmp, unique, channel);
            } catch (FileAlreadyExistsException e) {
                // Not ours, so not ours to delete: only another store on the same root in this process
                // can produce the same name. The maildir spec says to try again with a new name.
                LOG.debug("{} exists, choosing another name", tmp);
            }
        }
    }

    private TmpFile createTmpFileOrFail(Path maildir, MailAddress recipient, Optional<String> deliveryId) throws IOException {
        try {
            return createTmpFile(maildir.resolve("tmp"), deliveryId);
        } catch (IOException e) {
            throw failure(recipient, "creating a file in " + maildir.resolve("tmp") + " failed", maildir, e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Names

    /**
     * Refuses what could name something other than one directory level below the root. The address
     * parser already refuses most of these; this store must not depend on that.
     */
    static void checkPathPart(String what, String value, String recipient) {
        String problem = null;
        if (value.isEmpty()) {
            problem = "the " + what + " is empty";
        } else if (value.startsWith(".")) {
            problem = "the " + what + " starts with '.'";
        } else if (value.contains("..")) {
            problem = "the " + what + " contains '..'";
        } else {
            for (int i = 0; i < value.length() && problem == null; i++) {
                char c = value.charAt(i);
                if (c == '/' || c == '\\') {
                    problem = "the " + what + " contains '" + c + "'";
                } else if (c == 0) {
                    problem = "the " + what + " contains a NUL character";
                } else if (Character.isISOControl(c)) {
                    problem = "the " + what + " contains the control character U+" + String.format("%04X", (int) c);
                }
            }
        }
        if (problem != null) {
            throw new UnsafeMailboxException("no mailbox for " + printableText(recipient) + ": " + problem
                    + ", which could lead outside the maildir root; such addresses cannot be stored locally");
        }
    }

    private static Path folderIn(Path mailbox, MailAddress recipient, Optional<String> folder) {
        if (folder.isEmpty() || folder.get().isEmpty() || folder.get().equalsIgnoreCase(INBOX)) {
            return mailbox;
        }
        String name = folder.get();
        checkFolderName(name, recipient);
        return mailbox.resolve("." + name);
    }

    static void checkFolderName(String name, MailAddress recipient) {
        String problem = null;
        if (name.length() > MAX_FOLDER_NAME) {
            problem = "it is longer than " + MAX_FOLDER_NAME + " characters";
        } else if (name.startsWith(".") || name.endsWith(".") || name.contains("..")) {
            problem = "it has an empty level: '.' separates levels, as in Work.Projects";
        } else {
            for (int i = 0; i < name.length() && problem == null; i++) {
                char c = name.charAt(i);
                boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '_' || c == ' ' || c == '.';
                if (!allowed) {
                    problem = "it contains " + (c < 0x20 || c == 0x7f
                            ? "the control character U+" + String.format("%04X", (int) c)
                            : "'" + c + "'");
                }
            }
        }
        if (problem != null) {
            throw new UnsafeMailboxException("folder \"" + printableText(name) + "\" for " + printable(recipient)
                    + " is not allowed: " + problem + "; use ASCII letters, digits, '-', '_' and spaces,"
                    + " with '.' between levels (Work.Projects), or INBOX");
        }
    }

    private static String sanitiseHostname(String hostname) {
        String trimmed = hostname.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("hostname is empty; set 'hostname' to this server's name");
        }
        StringBuilder b = new StringBuilder(trimmed.length());
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException("hostname \"" + printableText(trimmed)
                        + "\" contains a control character; set 'hostname' to this server's name");
            }
            switch (c) {
                case '/' -> b.append("\\057");
                case ':' -> b.append("\\072");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * {@code <epochSeconds>.M<micros>P<pid>Q<seq>.<host>}, Dovecot's form of the maildir unique
     * name; with a delivery id, {@code Q<seq>_<id>} so the delivery can be found again.
     */
    private String nextUnique(Optional<String> deliveryId) {
        Instant now = Instant.now();
        return now.getEpochSecond() + ".M" + now.getNano() / 1000 + "P" + pid + "Q" + sequence.incrementAndGet()
                + deliveryId.map(id -> "_" + id).orElse("") + "." + host;
    }

    /**
     * Finds a message delivered earlier with this delivery id, in {@code new/} or (once a reader
     * has seen it) {@code cur/}. This lists the folder, so call it only when a redelivery is
     * possible, e.g. for mail recovered after a crash.
     *
     * @return the file, if the message is there
     */
    public Optional<Path> findDelivered(MailAddress recipient, Optional<String> folder, String deliveryId) throws IOException {
        Delivery.checkId(deliveryId);
        Path maildir = folderIn(mailboxOf(recipient), recipient, folder);
        String marker = "_" + deliveryId + ".";
        for (String sub : new String[] {"new", "cur"}) {
            Path dir = maildir.resolve(sub);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                Optional<Path> found = files.filter(f -> f.getFileName().toString().contains(marker)).findFirst();
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    private static byte[] traceHeaders(Delivery delivery) {
        String returnPath = delivery.returnPath().map(MailAddress::toPath).orElse("<>");
        return ("Return-Path: " + returnPath + "\nDelivered-To: " + delivery.recipient() + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------
    // File system

    private void createMaildir(Path maildir) throws IOException {
        for (String sub : new String[] {"cur", "new", "tmp"}) {
            ensureDirectory(maildir.resolve(sub));
        }
    }

    /**
     * Creates a directory and any missing parents, fsyncing each parent that got a new entry: a
     * message fsync'd into {@code new/} is only durable if {@code new/} itself is. Safe when several
     * threads or processes create the same directories at once.
     */
    private void ensureDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return; // the common case: one stat per level of the maildir
        }
        Path parent = dir.getParent();
        if (parent != null) {
            ensureDirectory(parent);
        }
        try {
            Files.createDirectory(dir, directoryAttributes);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw new FileAlreadyExistsException(dir.toString(), null,
                        "exists but is not a directory; move it away so the maildir can be created");
            }
            // Another thread created it; still sync below, as its fsync of the parent may not have run yet.
        }
        if (parent == null) {
            return;
        }
        if (parent.startsWith(root)) {
            Fsync.directory(parent);
        } else {
            // Created the root (or above): the parent belongs to the operator and may not be readable
            // to us (mode 0711, say). Without this sync the first deliveries rely on the file system
            // ordering its metadata (journalling file systems do); refusing all mail would be worse.
            try {
                Fsync.directory(parent);
            } catch (IOException e) {
                LOG.debug("could not fsync {} after creating {}: {}", parent, dir, e.toString());
            }
        }
    }

    private void createMaildirfolderMarker(Path folder) throws IOException {
        try {
            Files.createFile(folder.resolve(MAILDIRFOLDER), fileAttributes);
        } catch (FileAlreadyExistsException e) {
            // Present from an earlier delivery or created by Dovecot: exactly what we want.
        }
    }

    /**
     * One rename(2) from {@code tmp/} into {@code new/}: atomic, so a reader sees the whole file or
     * none. A rename replaces an existing target without asking (unlike link(2), which Maildir
     * delivery classically used), but that cannot happen here: the name holds this host, this
     * process id, this store's sequence number and the time to the microsecond (plus the delivery
     * id), so no other writer produces it, and {@code tmp/<unique>} was created exclusively by us.
     * Rename also saves link's second system call (unlinking the tmp name) and works on file systems
     * without hard links.
     */
    private static Path moveToNew(Path tmp, Path newDir, String unique, long size) throws IOException {
        Path target = newDir.resolve(unique + ",S=" + size);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /** Removes a file of a failed delivery. Best effort: a stale tmp file is swept after 36 hours. */
    private static void discard(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not remove {} after a failed delivery: {}", file, e.toString());
        }
    }

    /** An IOException that says whose delivery failed, at which step, and what to do about a full disk. */
    static IOException failure(MailAddress recipient, String step, Path maildir, IOException cause) {
        if (cause instanceof OverQuotaException) {
            return cause; // already says all: whose mailbox, how full, what limit
        }
        StringBuilder message = new StringBuilder("cannot deliver to ").append(recipient).append(": ").append(step)
                .append(": ").append(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        // Java has no exception type for ENOSPC/EDQUOT, only the OS's text; the free space figure
        // catches the cases where that text is different (other OS, other locale).
        Long free = usableSpace(maildir);
        String text = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        if (text.contains("no space left") || text.contains("quota") || (free != null && free < LOW_SPACE)) {
            message.append(" (the file system holding ").append(maildir).append(" has ")
                    .append(free == null ? "an unknown number of" : free.toString())
                    .append(" bytes free; free up space and the delivery can be retried)");
        }
        return new IOException(message.toString(), cause);
    }

    private static Long usableSpace(Path path) {
        for (Path p = path; p != null; p = p.getParent()) {
            try {
                if (Files.exists(p)) {
                    return Files.getFileStore(p).getUsableSpace();
                }
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    private static String printable(MailAddress address) {
        return printableText(address.toString());
    }

    /** Keeps control characters out of messages that end up in logs and SMTP replies. */
    private static String printableText(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return "MaildirStore[" + root + "/" + layout + "]";
    }
}
