package org.postlet.maildir;

import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Permissions for what holds mail: files {@code 0600} and directories {@code 0700}, readable by the
 * server's user alone, whatever the umask. Given at creation, so a file is never readable by others
 * even for a moment. On file systems without POSIX permissions, nothing (the platform's defaults).
 */
public final class OwnerOnly {

    private OwnerOnly() {
    }

    /** The attributes for a new directory below {@code where} ({@code rwx------}). */
    public static FileAttribute<?>[] directory(Path where) {
        return posix(where) ? new FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))} : new FileAttribute<?>[0];
    }

    /** The attributes for a new file below {@code where} ({@code rw-------}). */
    public static FileAttribute<?>[] file(Path where) {
        return posix(where) ? new FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))} : new FileAttribute<?>[0];
    }

    /** Asks the file system's provider, not the disk: this works before {@code where} exists. */
    private static boolean posix(Path where) {
        return where.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
