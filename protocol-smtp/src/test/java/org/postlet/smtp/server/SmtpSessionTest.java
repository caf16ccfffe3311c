package org.postlet.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postlet.mailet.MailAddress;
import org.postlet.smtp.testing.RecordingQueue;
import org.postlet.smtp.testing.RecordingQueue.Stored;
import org.postlet.smtp.testing.SmtpTestClient;
import org.postlet.smtp.testing.SmtpTestClient.Response;
import org.postlet.smtp.testing.SmtpTestServer;

/** Whole SMTP sessions over a real socket, as people and programs type them. */
class SmtpSessionTest {

    private SmtpTestServer server;
    private SmtpTestClient client;

    @BeforeEach
    void start() throws Exception {
        server = SmtpTestServer.builder().maxMessageSize(10_000).maxRecipients(2).start();
        client = server.connect();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void classicHandTypedSession() throws Exception {
        assertThat(client.command("HELO localhost")).hasToString("250 mx.example.test");
        assertThat(client.command("MAIL FROM:<user1@example.com>")).hasToString("250 2.1.0 Ok");
        assertThat(client.command("RCPT TO:<alice@example.test>")).hasToString("250 2.1.5 Ok");
        assertThat(client.command("DATA")).hasToString("354 End data with <CR><LF>.<CR><LF>");
        client.send("Subject: hello\r\n\r\nHi Alice!\r\n");
        Response queued = client.command(".");
        assertThat(queued.code()).isEqualTo(250);
        assertThat(queued.text()).matches("2\\.0\\.0 Ok: queued as Q\\d+");
        assertThat(client.command("QUIT")).hasToString("221 2.0.0 Bye");
        assertThat(client.closedByServer()).isTrue();

        Stored stored = server.queue().await(1).get(0);
        assertThat(queued.text()).endsWith(stored.id());
        assertThat(stored.envelope().sender()).contains(MailAddress.parse("user1@example.com"));
        assertThat(stored.envelope().recipients()).containsExactly(MailAddress.parse("alice@example.test"));
        assertThat(stored.envelope().heloName()).isEqualTo("localhost");
        assertThat(stored.envelope().listener()).isEqualTo(SmtpTestServer.LISTENER);
        assertThat(stored.envelope().client().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(stored.body()).isEqualTo("Subject: hello\r\n\r\nHi Alice!\r\n");
    }

    @Test
    void storedMessageBeginsWithReceivedHeaderAndIsExactlyUnstuffed() throws Exception {
        client.command("EHLO client.example");
        client.command("MAIL FROM:<user1@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        client.command("DATA");
        client.send("Subject: dots\r\n\r\n..x\r\n..\r\n...\r\n.y\r\nend.\r\n");
        assertThat(client.command(".").code()).isEqualTo(250);

        Stored stored = server.queue().await(1).get(0);
        assertThat(stored.text()).matches("(?s)Received: from client\\.example \\(\\[127\\.0\\.0\\.1]\\)\r\n"
                + "\tby mx\\.example\\.test \\(Postlet\\) with ESMTP id " + stored.id() + "\r\n"
                + "\tfor <alice@example\\.test>; \\w{3}, \\d{1,2} \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\r\n"
                + "Subject: dots.*");
        assertThat(stored.body()).isEqualTo("Subject: dots\r\n\r\n.x\r\n.\r\n..\r\ny\r\nend.\r\n");
    }

    @Test
    void receivedHeaderNamesNoRecipientWhenThereAreSeveral() throws Exception {
        client.send("EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\n");
        for (int i = 0; i < 4; i++) {
            client.read();
        }
        client.command("DATA");
        assertThat(client.command("hi\r\n.").code()).isEqualTo(250);
        Stored stored = server.queue().await(1).get(0);
        assertThat(stored.text()).doesNotContain("\tfor ");
        assertThat(stored.envelope().sender()).isEmpty();
        assertThat(stored.envelope().recipients()).extracting(MailAddress::localPart).containsExactly("alice", "bob");
    }

    @Test
    void acceptsBareAddressesLowerCaseVerbsAndSpaceAfterColon() throws Exception {
        assertThat(client.command("helo localhost").code()).isEqualTo(250);
        assertThat(client.command("mail from:user1@example.com")).hasToString("250 2.1.0 Ok");
        assertThat(client.command("rcpt to: <alice@example.test>")).hasToString("250 2.1.5 Ok");
        assertThat(client.command("rcpt to:bob@example.test")).hasToString("250 2.1.5 Ok");
        assertThat(client.command("data").code()).isEqualTo(354);
        assertThat(client.command("x\r\n.").code()).isEqualTo(250);
        Stored stored = server.queue().await(1).get(0);
        assertThat(stored.envelope().sender()).contains(new MailAddress("user1", "example.com"));
        assertThat(stored.envelope().recipients()).hasSize(2);
    }

    @Test
    void ehloAdvertisesTheExtensions() throws Exception {
        Response ehlo = client.command("EHLO client.example");
        assertThat(ehlo.lines()).containsExactly("250-mx.example.test", "250-PIPELINING", "250-SIZE 10000",
                "250-8BITMIME", "250-ENHANCEDSTATUSCODES", "250-SMTPUTF8", "250-DSN", "250 CHUNKING");
    }

    @Test
    void keepsEsmtpParametersOfMail() throws Exception {
        client.command("EHLO c");
        assertThat(client.command("MAIL FROM:<user1@example.com> SIZE=100 BODY=8bitmime RET=HDRS ENVID=abc SMTPUTF8")
                .code()).isEqualTo(250);
        assertThat(client.command("RCPT TO:<alice@example.test> NOTIFY=success,failure ORCPT=rfc822;alice@example.test")
                .code()).isEqualTo(250);
        client.command("DATA");
        client.command("x\r\n.");
        Stored stored = server.queue().await(1).get(0);
        assertThat(stored.envelope().mailParameters()).isEqualTo(
                Map.of("SIZE", "100", "BODY", "8BITMIME", "RET", "HDRS", "ENVID", "abc", "SMTPUTF8", ""));
        assertThat(stored.text()).contains("with UTF8SMTP id");
    }

    @Test
    void refusesUnknownAndMalformedParameters() throws Exception {
        client.command("EHLO c");
        assertThat(client.command("MAIL FROM:<a@example.com> FOO=bar").text()).startsWith("5.5.4");
        assertThat(client.command("MAIL FROM:<a@example.com> FOO=bar").code()).isEqualTo(555);
        assertThat(client.command("MAIL FROM:<a@example.com> BODY=9BIT").code()).isEqualTo(501);
        assertThat(client.command("MAIL FROM:<a@example.com> SIZE=1x").code()).isEqualTo(501);
        assertThat(client.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
        assertThat(client.command("RCPT TO:<alice@example.test> NOTIFY=SOMETIMES").code()).isEqualTo(501);
        assertThat(client.command("RCPT TO:<alice@example.test> XFORWARD=1").code()).isEqualTo(555);
    }

    @Test
    void pipelinedTransactionGetsItsRepliesInOrder() throws Exception {
        client.send("EHLO client\r\nMAIL FROM:<user1@example.com>\r\nRCPT TO:<alice@example.test>\r\n"
                + "RCPT TO:<nobody@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
        assertThat(client.read().lines()).hasSize(8);
        assertThat(client.read().code()).isEqualTo(250);
        assertThat(client.read().code()).isEqualTo(250);
        assertThat(client.read().code()).isEqualTo(550);
        assertThat(client.read().code()).isEqualTo(250);
        assertThat(client.read().code()).isEqualTo(354);
        client.send("Subject: p\r\n\r\nbody\r\n.\r\nMAIL FROM:<user2@example.com>\r\nRCPT TO:<bob@example.test>\r\n"
                + "DATA\r\n");
        assertThat(client.read().text()).startsWith("2.0.0 Ok: queued as");
        assertThat(client.read()).hasToString("250 2.1.0 Ok");
        assertThat(client.read()).hasToString("250 2.1.5 Ok");
        assertThat(client.read().code()).isEqualTo(354);
        client.send("second\r\n.\r\nQUIT\r\n");
        assertThat(client.read().code()).isEqualTo(250);
        assertThat(client.read().code()).isEqualTo(221);
        List<Stored> stored = server.queue().await(2);
        assertThat(stored).hasSize(2);
        assertThat(stored.get(0).envelope().recipients()).extracting(MailAddress::localPart)
                .containsExactly("alice", "bob");
        assertThat(stored.get(1).body()).isEqualTo("second\r\n");
    }

    @Test
    void wholeSessionInOneWrite() throws Exception {
        client.send("HELO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
                + "hello\r\n.\r\nQUIT\r\n");
        assertThat(List.of(client.read().code(), client.read().code(), client.read().code(), client.read().code(),
                client.read().code(), client.read().code())).containsExactly(250, 250, 250, 354, 250, 221);
        assertThat(server.queue().await(1)).hasSize(1);
    }

    @Test
    void pipelinedQuitWaitsForASlowCommit() throws Exception {
        server.queue().failWith(RecordingQueue.Failure.COMMIT_DELAYED);
        client.send("HELO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
        for (int i = 0; i < 4; i++) {
            client.read();
        }
        client.send("hello\r\n.\r\nNOOP\r\nQUIT\r\n");
        assertThat(client.read().text()).startsWith("2.0.0 Ok: queued as");
        assertThat(client.read()).hasToString("250 2.0.0 Ok");
        assertThat(client.read().code()).isEqualTo(221);
    }

    @Test
    void clientThatShutsDownItsSideAfterPipeliningGetsEveryReply() throws Exception {
        // nc -N and scripts send the whole session and a FIN at once; the commit is slow, so the end
        // of input arrives while reading is paused.
        server.queue().failWith(RecordingQueue.Failure.COMMIT_DELAYED);
        client.send("HELO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
                + "hello\r\n.\r\nNOOP\r\nQUIT\r\n");
        client.socket().shutdownOutput();
        assertThat(List.of(client.read().code(), client.read().code(), client.read().code(), client.read().code()))
                .containsExactly(250, 250, 250, 354);
        assertThat(client.read().text()).startsWith("2.0.0 Ok: queued as");
        assertThat(client.read()).hasToString("250 2.0.0 Ok");
        assertThat(client.read().code()).isEqualTo(221);
        assertThat(client.closedByServer()).isTrue();
        assertThat(server.queue().await(1)).hasSize(1);
    }

    @Test
    void clientThatShutsDownItsSideWithoutQuitIsAnsweredThenClosed() throws Exception {
        server.queue().failWith(RecordingQueue.Failure.COMMIT_DELAYED);
        client.send("HELO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
                + "hello\r\n.\r\nNOOP\r\n");
        client.socket().shutdownOutput();
        for (int i = 0; i < 4; i++) {
            client.read();
        }
        assertThat(client.read().text()).startsWith("2.0.0 Ok: queued as");
        assertThat(client.read()).hasToString("250 2.0.0 Ok");
        assertThat(client.closedByServer()).isTrue();
        assertThat(server.queue().await(1)).hasSize(1);
    }

    @Test
    void clientThatShutsDownItsSideInTheMiddleOfAMessageStoresNothing() throws Exception {
        client.send("HELO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nhalf a mess");
        client.socket().shutdownOutput();
        for (int i = 0; i < 4; i++) {
            client.read();
        }
        assertThat(client.closedByServer()).isTrue();
        assertThat(server.queue().awaitAborted(1)).isEqualTo(1);
        assertThat(server.queue().committed()).isEmpty();
    }

    @Test
    void lineTooLongIsRefusedAndTheSessionGoesOn() throws Exception {
        assertThat(client.command("HELO " + "x".repeat(600))).hasToString("500 5.5.2 Line too long");
        assertThat(client.command("NOOP")).hasToString("250 2.0.0 Ok");
    }

    @Test
    void unknownCommand() throws Exception {
        assertThat(client.command("FOO bar")).hasToString("500 5.5.2 Error: command not recognized");
        // Known, but not offered on a tls: none listener.
        assertThat(client.command("STARTTLS")).hasToString("502 5.5.1 Error: command not implemented");
    }

    @Test
    void badSequence() throws Exception {
        assertThat(client.command("MAIL FROM:<a@example.com>")).hasToString("503 5.5.1 Error: send HELO/EHLO first");
        client.command("HELO c");
        assertThat(client.command("RCPT TO:<alice@example.test>")).hasToString("503 5.5.1 Error: need MAIL command");
        assertThat(client.command("DATA")).hasToString("503 5.5.1 Error: need MAIL command");
        client.command("MAIL FROM:<a@example.com>");
        assertThat(client.command("DATA")).hasToString("503 5.5.1 Error: need RCPT command");
        assertThat(client.command("MAIL FROM:<a@example.com>")).hasToString("503 5.5.1 Error: nested MAIL command");
    }

    @Test
    void syntaxErrors() throws Exception {
        assertThat(client.command("HELO").code()).isEqualTo(501);
        client.command("EHLO c");
        assertThat(client.command("MAIL TO:<a@example.com>").text()).startsWith("5.5.4");
        assertThat(client.command("MAIL FROM:<a@@example.com>").text()).startsWith("5.1.7");
        assertThat(client.command("MAIL FROM:<a@example.com").text()).startsWith("5.1.7");
        client.command("MAIL FROM:<>");
        assertThat(client.command("RCPT TO:<>").text()).startsWith("5.1.3");
        assertThat(client.command("RCPT TO:<bad address@example.test>").code()).isEqualTo(501);
        assertThat(client.command("RCPT TO:<alice@example.test>").code()).isEqualTo(250);
        assertThat(client.command("DATA x")).hasToString("501 5.5.4 Syntax: DATA");
    }

    @Test
    void unknownLocalUserAndRelayAreRefused() throws Exception {
        client.command("EHLO c");
        client.command("MAIL FROM:<a@example.com>");
        Response unknown = client.command("RCPT TO:<carol@example.test>");
        assertThat(unknown.code()).isEqualTo(550);
        assertThat(unknown.text()).startsWith("5.1.1");
        Response relay = client.command("RCPT TO:<someone@elsewhere.test>");
        assertThat(relay.code()).isEqualTo(554);
        assertThat(relay.text()).startsWith("5.7.1");
        assertThat(client.command("DATA")).hasToString("554 5.5.1 Error: no valid recipients");
        assertThat(server.queue().opened()).isZero();
    }

    @Test
    void messageOverTheLimitIsRefusedAndNothingIsCommitted() throws Exception {
        client.command("EHLO c");
        client.command("MAIL FROM:<a@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        client.command("DATA");
        String line = "z".repeat(98) + "\r\n";
        client.send(line.repeat(150));
        assertThat(client.command(".")).hasToString("552 5.3.4 Message size exceeds fixed maximum message size");
        assertThat(server.queue().aborted()).isEqualTo(1);
        // The session goes on; a new transaction is needed.
        assertThat(client.command("RCPT TO:<alice@example.test>").code()).isEqualTo(503);
        client.command("MAIL FROM:<a@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        client.command("DATA");
        assertThat(client.command("small\r\n.").code()).isEqualTo(250);
        assertThat(server.queue().await(1)).hasSize(1).allSatisfy(s -> assertThat(s.body()).isEqualTo("small\r\n"));
    }

    @Test
    void declaredSizeOverTheLimitIsRefusedAtMail() throws Exception {
        client.command("EHLO c");
        assertThat(client.command("MAIL FROM:<a@example.com> SIZE=10001"))
                .hasToString("552 5.3.4 Message size exceeds fixed maximum message size");
        assertThat(client.command("MAIL FROM:<a@example.com> SIZE=10000").code()).isEqualTo(250);
    }

    @Test
    void tooManyRecipients() throws Exception {
        client.command("EHLO c");
        client.command("MAIL FROM:<a@example.com>");
        assertThat(client.command("RCPT TO:<alice@example.test>").code()).isEqualTo(250);
        assertThat(client.command("RCPT TO:<bob@example.test>").code()).isEqualTo(250);
        assertThat(client.command("RCPT TO:<alice@example.test>")).hasToString("452 4.5.3 Error: too many recipients");
        assertThat(client.command("DATA").code()).isEqualTo(354);
    }

    @Test
    void queueThatCannotOpenGets452AndTheSessionGoesOn() throws Exception {
        server.queue().failWith(RecordingQueue.Failure.OPEN_FAILS);
        client.command("EHLO c");
        client.command("MAIL FROM:<a@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        assertThat(client.command("DATA")).hasToString("452 4.3.1 Insufficient system storage");
        assertThat(client.command("NOOP").code()).isEqualTo(250);
        server.queue().failWith(RecordingQueue.Failure.NONE);
        assertThat(client.command("DATA").code()).isEqualTo(354);
        assertThat(client.command("x\r\n.").code()).isEqualTo(250);
    }

    @Test
    void failedCommitGets451AndNever250() throws Exception {
        server.queue().failWith(RecordingQueue.Failure.COMMIT_FAILS);
        client.command("EHLO c");
        client.command("MAIL FROM:<a@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        client.command("DATA");
        assertThat(client.command("x\r\n.")).hasToString("451 4.3.0 Error: queue file write error");
        assertThat(client.command("QUIT").code()).isEqualTo(221);
        assertThat(server.queue().committed()).isEmpty();
    }

    @Test
    void failedWriteGets451AndTheMessageIsAborted() throws Exception {
        server.queue().failWith(RecordingQueue.Failure.WRITE_FAILS);
        client.command("EHLO c");
        client.command("MAIL FROM:<a@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        client.command("DATA");
        assertThat(client.command("x\r\n.").code()).isEqualTo(451);
        assertThat(server.queue().aborted()).isEqualTo(1);
        assertThat(server.queue().committed()).isEmpty();
    }

    @Test
    void clientGoingAwayDuringDataAbortsTheMessage() throws Exception {
        client.command("EHLO c");
        client.command("MAIL FROM:<a@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        client.command("DATA");
        client.send("half a message\r\n");
        client.close();
        assertThat(server.queue().awaitAborted(1)).isEqualTo(1);
        assertThat(server.queue().committed()).isEmpty();
    }

    @Test
    void rsetEndsTheTransaction() throws Exception {
        client.command("EHLO c");
        client.command("MAIL FROM:<a@example.com>");
        assertThat(client.command("RSET")).hasToString("250 2.0.0 Ok");
        assertThat(client.command("RCPT TO:<alice@example.test>").code()).isEqualTo(503);
        assertThat(client.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
    }

    @Test
    void vrfyNeverTellsAndHelpHelps() throws Exception {
        assertThat(client.command("VRFY alice")).hasToString("252 2.1.5 Send some mail, I'll try my best");
        assertThat(client.command("VRFY carol@example.test").code()).isEqualTo(252);
        assertThat(client.command("HELP").code()).isEqualTo(214);
    }

    @Test
    void tooManyErrorsCloseTheConnection() throws Exception {
        for (int i = 1; i < 20; i++) {
            assertThat(client.command("BOGUS").code()).isEqualTo(500);
        }
        client.send("BOGUS\r\n");
        assertThat(client.read().code()).isEqualTo(500);
        assertThat(client.read()).hasToString("421 4.7.0 mx.example.test Error: too many errors");
        assertThat(client.closedByServer()).isTrue();
    }

    @Test
    void aSuccessfulCommandResetsTheErrorCount() throws Exception {
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 15; i++) {
                client.command("BOGUS");
            }
            assertThat(client.command("NOOP").code()).isEqualTo(250);
        }
    }

    @Test
    void smtputf8AddressesAreAccepted() throws Exception {
        client.command("EHLO c");
        assertThat(client.command("MAIL FROM:<josé@exämple.com> SMTPUTF8").code()).isEqualTo(250);
        assertThat(client.command("RCPT TO:<alice@example.test>").code()).isEqualTo(250);
        client.command("DATA");
        client.command("x\r\n.");
        assertThat(server.queue().await(1).get(0).envelope().sender())
                .isEqualTo(Optional.of(new MailAddress("josé", "exämple.com")));
    }

    /** RFC 5321 §4.5.1: RCPT TO:<postmaster> without a domain is accepted, in any case. */
    @Test
    void postmasterWithoutADomainIsAccepted() throws Exception {
        client.command("EHLO client.example");
        client.command("MAIL FROM:<a@example.com>");
        assertThat(client.command("RCPT TO:<Postmaster>")).hasToString("250 2.1.5 Ok");
        client.command("DATA");
        assertThat(client.command("Subject: hi\r\n\r\nhello\r\n.").code()).isEqualTo(250);
        assertThat(server.queue().await(1).get(0).envelope().recipients())
                .containsExactly(new MailAddress("postmaster", "example.test"));
    }

    /** CHUNKING is an ESMTP extension: a client that said HELO was never offered BDAT. */
    @Test
    void bdatAfterHeloIsRefusedAndItsChunkIsNotReadAsCommands() throws Exception {
        client.command("HELO client.example");
        client.command("MAIL FROM:<a@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        client.send("BDAT 6 LAST\r\nRSET\r\n");
        assertThat(client.read().toString()).isEqualTo("503 5.5.1 Error: BDAT (CHUNKING) needs EHLO, not HELO");
        assertThat(client.command("NOOP").code()).isEqualTo(250);
        assertThat(server.queue().opened()).isZero();
    }

    @Test
    void anInternationalizedHeloNameIsWrittenAsALabelsInReceived() throws Exception {
        client.command("EHLO b\u00fccher.example");
        client.command("MAIL FROM:<a@example.com> SMTPUTF8");
        client.command("RCPT TO:<alice@example.test>");
        client.command("DATA");
        assertThat(client.command("Subject: x\r\n\r\nhi\r\n.").code()).isEqualTo(250);
        String received = server.queue().await(1).get(0).text().lines().findFirst().orElseThrow();
        assertThat(received).isEqualTo("Received: from xn--bcher-kva.example ([127.0.0.1])");
    }

    @Test
    void aHeloNameThatIsNoDomainIsReplacedByTheAddressLiteralInReceived() throws Exception {
        assertThat(client.command("EHLO bad\u00e9_name!!").code()).isEqualTo(250);
        client.command("MAIL FROM:<a@example.com>");
        client.command("RCPT TO:<alice@example.test>");
        client.command("DATA");
        assertThat(client.command("Subject: x\r\n\r\nhi\r\n.").code()).isEqualTo(250);
        String text = server.queue().await(1).get(0).text();
        assertThat(text.lines().findFirst().orElseThrow()).isEqualTo("Received: from [127.0.0.1] ([127.0.0.1])");
        String header = text.substring(0, text.indexOf("Subject:"));
        assertThat(header.chars()).allMatch(c -> c < 128 && (c >= 32 || c == '\r' || c == '\n' || c == '\t'));
    }

    /** RFC 3461 syntax: NOTIFY, RET, ORCPT and ENVID with bad values get 501 5.5.4; good ones reach the envelope. */
    @Test
    void dsnParametersAreCheckedAndKept() throws Exception {
        client.command("EHLO c");
        assertThat(client.command("MAIL FROM:<a@example.com> RET=BODY").toString()).isEqualTo("501 5.5.4 Bad RET parameter value");
        assertThat(client.command("MAIL FROM:<a@example.com> ENVID=has+2zlowercase").code()).isEqualTo(501);
        assertThat(client.command("MAIL FROM:<a@example.com> ENVID=" + "x".repeat(101)).code()).isEqualTo(501);
        assertThat(client.command("MAIL FROM:<a@example.com> RET=full ENVID=QQ+2B314").code()).isEqualTo(250);
        assertThat(client.command("RCPT TO:<alice@example.test> NOTIFY=NEVER,SUCCESS").code()).isEqualTo(501);
        assertThat(client.command("RCPT TO:<alice@example.test> NOTIFY=SUCCESS,SUCCESS").code()).isEqualTo(501);
        assertThat(client.command("RCPT TO:<alice@example.test> NOTIFY=").code()).isEqualTo(501);
        assertThat(client.command("RCPT TO:<alice@example.test> ORCPT=alice@example.test").code()).isEqualTo(501);
        assertThat(client.command("RCPT TO:<alice@example.test> ORCPT=rfc822;alice+example.test").code()).isEqualTo(501);
        assertThat(client.command("RCPT TO:<alice@example.test> ORCPT=rfc822;al\u00efce@example.test").code()).isEqualTo(501);
        assertThat(client.command("RCPT TO:<alice@example.test> NOTIFY=failure,delay ORCPT=rfc822;Alice+2Bx@example.test")
                .toString()).isEqualTo("250 2.1.5 Ok");
        assertThat(client.command("RCPT TO:<bob@example.test> ORCPT=utf-8;b\u00f6b@example.test").code()).isEqualTo(250);
        client.command("DATA");
        client.command("x\r\n.");
        Stored stored = server.queue().await(1).get(0);
        assertThat(stored.envelope().mailParameters()).containsEntry("RET", "FULL").containsEntry("ENVID", "QQ+2B314");
        assertThat(stored.envelope().recipientParameters().get(new MailAddress("alice", "example.test")))
                .isEqualTo(Map.of("NOTIFY", "FAILURE,DELAY", "ORCPT", "rfc822;Alice+2Bx@example.test"));
    }
}
