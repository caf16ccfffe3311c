package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postlet.smtp.testing.RecordingQueue.Stored;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestServer;

/** CHUNKING and BDAT (RFC 3030). */
class BdatTest {

    private SmtpTestServer server;
    private SmtpTestClient client;

    @BeforeEach
    void start() throws Exception {
        server = SmtpTestServer.builder().maxMessageSize(1000).start();
        client = server.connect();
        assertThat(client.command("EHLO client.example").lines()).anyMatch(l -> l.endsWith("CHUNKING"));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void aMessageInThreePipelinedChunksIsStoredByteForByte() throws Exception {
        String one = "Subject: chunks\r\n\r\n";
        String two = ".a line with a dot stays as it is\r\n.\r\n";
        String three = "last\r\n";
        client.send("MAIL FROM:<user1@example.com>\r\nRCPT TO:<alice@example.test>\r\n"
                + "BDAT " + one.length() + "\r\n" + one
                + "BDAT " + two.length() + "\r\n" + two
                + "bdat " + three.length() + " last\r\n" + three);
        assertThat(client.read().code()).isEqualTo(250);
        assertThat(client.read().code()).isEqualTo(250);
        assertThat(client.read()).hasToString("250 2.0.0 Ok: " + one.length() + " octets received");
        assertThat(client.read().code()).isEqualTo(250);
        assertThat(client.read().text()).startsWith("2.0.0 Ok: queued as");
        Stored stored = server.queue().await(1).get(0);
        assertThat(stored.body()).isEqualTo(one + two + three);
        assertThat(stored.text()).contains(" with ESMTP id ");
        assertThat(client.command("NOOP").code()).isEqualTo(250);
    }

    @Test
    void bdatZeroLastEndsTheMessage() throws Exception {
        client.command("MAIL FROM:<user1@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        client.send("BDAT 6\r\nhello\n");
        assertThat(client.read().code()).isEqualTo(250);
        assertThat(client.command("BDAT 0 LAST").text()).startsWith("2.0.0 Ok: queued as");
        assertThat(server.queue().await(1).get(0).body()).isEqualTo("hello\n");
    }

    @Test
    void aChunkOverTheSizeLimitIs552AndNothingIsStored() throws Exception {
        client.command("MAIL FROM:<user1@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        client.send("BDAT 1500 LAST\r\n" + "x".repeat(1500));
        assertThat(client.read().toString()).isEqualTo("552 5.3.4 Message size exceeds fixed maximum message size");
        // The 1500 octets were read as data, not commands; the session goes on.
        assertThat(client.command("NOOP").code()).isEqualTo(250);
        assertThat(server.queue().committed()).isEmpty();
        assertThat(server.queue().awaitAborted(1)).isEqualTo(1);
    }

    @Test
    void dataAfterBdatAndRcptAfterBdatAreRefused() throws Exception {
        client.command("MAIL FROM:<user1@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        client.send("BDAT 3\r\nabc");
        assertThat(client.read().code()).isEqualTo(250);
        assertThat(client.command("DATA").toString()).isEqualTo("503 5.5.1 Error: DATA after BDAT; finish with BDAT LAST or RSET");
        assertThat(client.command("RCPT TO:<bob@example.test>").toString()).isEqualTo("503 5.5.1 Error: RCPT after BDAT");
        assertThat(client.command("RSET").code()).isEqualTo(250);
        assertThat(server.queue().awaitAborted(1)).isEqualTo(1);
        assertThat(server.queue().committed()).isEmpty();
    }

    /** A refused BDAT's chunk is still read and dropped, so its bytes never run as commands. */
    @Test
    void aRefusedBdatSwallowsItsChunk() throws Exception {
        String hidden = "RSET\r\nMAIL FROM:<x@example.com>\r\n";
        client.send("BDAT " + hidden.length() + " LAST\r\n" + hidden);
        assertThat(client.read().toString()).isEqualTo("503 5.5.1 Error: need MAIL command");
        client.command("MAIL FROM:<user1@example.com>");
        client.command("RCPT TO:<nobody@example.test>");
        client.send("BDAT 4 LAST\r\nQUIT");
        assertThat(client.read().toString()).isEqualTo("554 5.5.1 Error: no valid recipients");
        assertThat(client.command("NOOP").code()).isEqualTo(250);
        assertThat(server.queue().opened()).isZero();
    }

    @Test
    void aBdatWithoutAReadableSizeClosesTheConnection() throws Exception {
        client.command("MAIL FROM:<user1@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        assertThat(client.command("BDAT lots").toString()).startsWith("501 5.5.4 Syntax: BDAT count [LAST]");
        assertThat(client.closedByServer()).isTrue();
    }

    @Test
    void dataAndBdatTransactionsFollowEachOther() throws Exception {
        client.command("MAIL FROM:<user1@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        client.command("DATA");
        client.send("first\r\n");
        assertThat(client.command(".").code()).isEqualTo(250);
        client.command("MAIL FROM:<user1@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        client.send("BDAT 8 LAST\r\nsecond\r\n");
        assertThat(client.read().code()).isEqualTo(250);
        assertThat(server.queue().await(2)).extracting(Stored::body).containsExactly("first\r\n", "second\r\n");
    }
}
