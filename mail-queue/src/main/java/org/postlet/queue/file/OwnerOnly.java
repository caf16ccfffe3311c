package org.postlet.queue.file;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Permissions for what the queue creates: queued mail is as private as a Maildir, so files are
 * 0600 and directories 0700. On a file system without POSIX permissions (Windows) nothing is set.
 */
final class OwnerOnly {

    private OwnerOnly() {
    }

    static FileAttribute<?>[] file(Path near) {
        return posix(near) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    static FileAttribute<?>[] directory(Path near) {
        return posix(near) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
    }

    private static boolean posix(Path near) {
        return (near.getFileSystem() == null ? FileSystems.getDefault() : near.getFileSystem())
                .supportedFileAttributeViews().contains("posix");
    }
}
