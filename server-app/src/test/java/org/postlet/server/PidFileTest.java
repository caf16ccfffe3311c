package org.postlet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {

    @TempDir
    Path dir;

    @Test
    void removedAtCloseByItsOwner() throws Exception {
        Path file = dir.resolve(PidFile.NAME);
        PidFile pid = PidFile.write(file);
        assertThat(Files.readString(file).strip()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        pid.close();
        assertThat(file).doesNotExist();
    }

    @Test
    void aFileThatNamesAnotherProcessIsLeftAlone() throws Exception {
        Path file = dir.resolve(PidFile.NAME);
        PidFile pid = PidFile.write(file);
        Files.writeString(file, "4242\n"); // another server's now

        pid.close();

        assertThat(file).hasContent("4242\n");
    }
}
