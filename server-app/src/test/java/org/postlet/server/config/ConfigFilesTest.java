package org.postlet.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {

    @TempDir
    Path dir;

    /**
     * Found by PipelineLoaderFuzzTest (Jazzer's SSRF detector): reading an XML file fetched the
     * DTD it named. A DOCTYPE is now refused as a syntax problem, and nothing is fetched.
     */
    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // before the fix, the parser waited for the DTD
    void anXmlFileWithADoctypeIsRefusedAndNothingIsFetched() throws Exception {
        try (ServerSocket dtdServer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path file = dir.resolve("pipeline.xml");
            Files.writeString(file, "<!DOCTYPE processors SYSTEM \"http://127.0.0.1:" + dtdServer.getLocalPort() + "/p.dtd\">\n"
                    + "<processors><processor state=\"root\"/></processors>\n");
            assertThatThrownBy(() -> ConfigFiles.read(file)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                    assertThat(e.problems()).singleElement().satisfies(p -> {
                        assertThat(p.file()).isEqualTo(file);
                        assertThat(p.problem()).containsIgnoringCase("DOCTYPE");
                    }));
            dtdServer.setSoTimeout(200);
            assertThatThrownBy(dtdServer::accept).as("no connection for the DTD").isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void anXmlFileWithoutDoctypeStillReads() throws Exception {
        Path file = dir.resolve("postlet.xml");
        Files.writeString(file, "<postlet><hostname>mx.example.test</hostname></postlet>\n");
        assertThat(ConfigFiles.read(file).entry("hostname").map(ConfigNode.Entry::value))
                .containsInstanceOf(ConfigNode.Scalar.class)
                .hasValueSatisfying(v -> assertThat(((ConfigNode.Scalar) v).value()).contains("mx.example.test"));
    }
}
