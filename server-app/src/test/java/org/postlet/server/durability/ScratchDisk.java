package org.postlet.server.durability;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.postlet.testsupport.Prerequisites;

/**
 * A file system mounted for one test, to make storage fail as real disks do: a tmpfs that can be
 * remounted read-only, or an ext4 image on a loop device that can be cut short under the mounted
 * file system, after which the blocks the kernel writes there fail and {@code fsync} returns EIO, as
 * on a failing disk. (device-mapper's {@code error} target would be the usual tool; this sandbox
 * has no device-mapper.) Needs root (or CAP_SYS_ADMIN) and, for the loop
 * device, {@code mkfs.ext4} and {@code /dev/loop-control}: locally a test without them is skipped;
 * under {@code CI=true} it fails, saying what is missing.
 */
final class ScratchDisk implements AutoCloseable {

    /** Mount points, innermost last, unmounted in reverse. */
    private final List<Path> mounts = new ArrayList<>();
    private final Path mountPoint;
    /** The loop device's image, for an ext4 disk. */
    private final Path image;

    private ScratchDisk(Path mountPoint, Path image) {
        this.mountPoint = mountPoint;
        this.image = image;
    }

    /** A tmpfs of {@code size} (e.g. {@code 128m}) at {@code dir}. */
    static ScratchDisk tmpfs(Path dir, String size) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        ScratchDisk disk = new ScratchDisk(dir, null);
        disk.mount(List.of("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", dir.toString()), dir);
        return disk;
    }

    /**
     * An ext4 file system of {@code size} (e.g. {@code 256m}) at {@code dir}, on a loop device,
     * mounted with {@code errors=remount-ro}: after an error the kernel makes it read-only, as a
     * production ext4 is usually mounted.
     */
    static ScratchDisk ext4(Path dir, String size) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path image = dir.resolveSibling(dir.getFileName() + ".img");
        ScratchDisk disk = new ScratchDisk(dir, image);
        disk.checkLoopPrerequisites();
        run(List.of("truncate", "-s", size, image.toString()));
        // Lazy init: mkfs writes only what it must, so the sparse image stays small.
        run(List.of("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=1,lazy_journal_init=1", image.toString()));
        disk.mount(List.of("mount", "-o", "loop,errors=remount-ro", image.toString(), dir.toString()), dir);
        return disk;
    }

    Path path() {
        return mountPoint;
    }

    /**
     * Cuts the loop device short under the mounted file system: from now on every block the kernel
     * writes beyond the first {@code keep} (e.g. {@code 8m}) fails, and {@code fsync} of what lives
     * there returns EIO.
     */
    void failBlocksBeyond(String keep) throws IOException, InterruptedException {
        Path device = loopDevice();
        run(List.of("truncate", "-s", keep, image.toString()));
        run(List.of("losetup", "-c", device.toString()));
    }

    /**
     * Reports a file system error to ext4 (its sysfs test hook), which turns the file system
     * read-only at once, with files open for writing, as a disk error does in production.
     */
    void failIntoReadOnly() throws IOException {
        Path trigger = Path.of("/sys/fs/ext4", loopDevice().getFileName().toString(), "trigger_fs_error");
        Files.writeString(trigger, "StorageFaultsIT: simulated disk error\n");
    }

    /** Unmounts and mounts the ext4 disk again (writable after {@link #failIntoReadOnly}); nothing may use it. */
    void remount() throws IOException, InterruptedException {
        run(List.of("umount", mountPoint.toString()));
        mounts.remove(mountPoint);
        mount(List.of("mount", "-o", "loop,errors=remount-ro", image.toString(), mountPoint.toString()), mountPoint);
    }

    private Path loopDevice() throws IOException {
        try {
            Result device = exec(List.of("losetup", "-j", image.toString()));
            String name = device.output.contains(":") ? device.output.substring(0, device.output.indexOf(':')) : "";
            if (device.code != 0 || name.isEmpty()) {
                throw new IOException("no loop device for " + image + ": " + device.output);
            }
            return Path.of(name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    void remountReadOnly() throws IOException, InterruptedException {
        run(List.of("mount", "-o", "remount,ro", mountPoint.toString()));
    }

    void remountReadWrite() throws IOException, InterruptedException {
        run(List.of("mount", "-o", "remount,rw", mountPoint.toString()));
    }

    private void mount(List<String> command, Path at) throws IOException, InterruptedException {
        Result r = exec(command);
        if (r.code != 0) {
            unavailable("cannot " + String.join(" ", command) + " (needs root or CAP_SYS_ADMIN, as in CI): " + r.output);
        }
        mounts.add(at);
    }

    private void checkLoopPrerequisites() {
        String missing = null;
        if (!Files.exists(Path.of("/dev/loop-control"))) {
            missing = "no /dev/loop-control: loop devices are not available here";
        } else if (!Files.isExecutable(Path.of("/sbin/mkfs.ext4")) && !Files.isExecutable(Path.of("/usr/sbin/mkfs.ext4"))) {
            missing = "mkfs.ext4 is missing (Debian package e2fsprogs)";
        }
        if (missing != null) {
            unavailable(missing);
        }
    }

    private static void unavailable(String problem) {
        Prerequisites.require(false, problem);
    }

    @Override
    public void close() throws IOException {
        List<String> problems = new ArrayList<>();
        for (int i = mounts.size() - 1; i >= 0; i--) {
            Path at = mounts.get(i);
            try {
                Result r = exec(List.of("umount", at.toString()));
                if (r.code != 0) {
                    exec(List.of("umount", "-l", at.toString()));
                    problems.add("umount " + at + " failed (lazily unmounted instead): " + r.output);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.add("interrupted while unmounting " + at);
            }
        }
        mounts.clear();
        if (!problems.isEmpty()) {
            throw new AssertionError(String.join("\n", problems));
        }
    }

    private record Result(int code, String output) {
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Result r = exec(command);
        if (r.code != 0) {
            throw new IOException(String.join(" ", command) + " failed with " + r.code + ": " + r.output);
        }
    }

    private static Result exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out: " + out);
        }
        return new Result(p.exitValue(), out);
    }
}
