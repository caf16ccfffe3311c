package org.postlet.auth.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postlet.auth.Python;
import org.postlet.auth.dns.ScriptedDnsLookup;
import org.postlet.auth.message.HeaderField;
import org.postlet.auth.message.RawMessage;

/** DKIM against the RFC's examples and against dkimpy (Debian python3-dkim) in both directions. */
class DkimTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    /** Folded and spaced headers, two To fields, white space at line ends and empty lines at the end. */
    static final String MESSAGE = "Received: from client.example.org by mx.example.test\r\n"
            + "From: Alice <alice@example.org>\r\n"
            + "To: bob@example.test\r\n"
            + "To:   carol@example.test ,\r\n\t dave@example.test\r\n"
            + "Subject: Lunch   on\r\n  Friday?  \r\n"
            + "Date: Tue, 1 Dec 2026 12:00:00 +0000\r\n"
            + "Message-ID: <m1@example.org>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "\r\n"
            + "Hello Bob,  \r\n"
            + "\tlet's meet at noon.\r\n"
            + "\r\n"
            + "Alice\r\n"
            + "\r\n"
            + "\r\n";

    @TempDir
    Path dir;

    @Test
    void canonicalizesTheExampleOfRfc6376Section345() {
        RawMessage m = RawMessage.parse(("A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(m.headers()).extracting(h -> Canonicalization.RELAXED.header(h)).containsExactly("a:X", "b:Y Z");
        assertThat(m.headers()).extracting(h -> Canonicalization.SIMPLE.header(h)).containsExactly("A: X", "B : Y\t\r\n\tZ  ");
        assertThat(new String(Canonicalization.RELAXED.body(m.body()), StandardCharsets.US_ASCII)).isEqualTo(" C\r\nD E\r\n");
        assertThat(new String(Canonicalization.SIMPLE.body(m.body()), StandardCharsets.US_ASCII)).isEqualTo(" C \r\nD \t E\r\n");
    }

    @Test
    void anEmptyBodyIsEmptyRelaxedAndOneLineBreakSimple() {
        assertThat(Canonicalization.RELAXED.body(new byte[0])).isEmpty();
        assertThat(Canonicalization.SIMPLE.body("\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).containsExactly('\r', '\n');
    }

    @ParameterizedTest
    @EnumSource(DkimAlgorithm.class)
    void mailSignedByPostletVerifiesWithDkimpy(DkimAlgorithm algorithm) throws Exception {
        Python.require("dkim", "python3-dkim");
        KeyPair keys = DkimKeys.generate(algorithm);
        String signed = sign(keys, MESSAGE);
        Path file = dir.resolve("signed.eml");
        Files.writeString(file, signed, StandardCharsets.ISO_8859_1);
        String record = DkimKeys.txtRecord("example.org", "s1", keys.getPublic());
        String txt = record.substring(record.indexOf('"') + 1, record.lastIndexOf('"'));

        assertThat(Python.run("dkimpy.py", "verify", file.toString(), "s1._domainkey.example.org", txt).strip()).isEqualTo("pass");

        Files.writeString(file, signed.replace("meet at noon", "meet at one"), StandardCharsets.ISO_8859_1);
        assertThat(Python.run("dkimpy.py", "verify", file.toString(), "s1._domainkey.example.org", txt).strip()).isEqualTo("fail");
    }

    @ParameterizedTest
    @EnumSource(DkimAlgorithm.class)
    void mailSignedByDkimpyVerifiesInPostlet(DkimAlgorithm algorithm) throws Exception {
        Python.require("dkim", "python3-dkim");
        KeyPair keys = DkimKeys.generate(algorithm);
        Path key = dir.resolve("key");
        if (algorithm == DkimAlgorithm.RSA_SHA256) {
            DkimKeys.writePrivateKey(keys.getPrivate(), key);
        } else { // dkimpy reads an Ed25519 key as the base64 of its 32-byte seed
            byte[] der = keys.getPrivate().getEncoded();
            Files.writeString(key, Base64.getEncoder().encodeToString(Arrays.copyOfRange(der, der.length - 32, der.length)));
        }
        Path file = dir.resolve("m.eml");
        Files.writeString(file, MESSAGE, StandardCharsets.ISO_8859_1);
        String field = Python.run("dkimpy.py", "sign", file.toString(), key.toString(), "example.org", "s2", algorithm.tagValue());
        String signed = field.replace("\n", "\r\n").replace("\r\r\n", "\r\n") + MESSAGE;
        ScriptedDnsLookup dns = new ScriptedDnsLookup().txt("s2._domainkey.example.org",
                "v=DKIM1; k=" + algorithm.keyType() + "; p=" + DkimKeys.publicKeyTag(keys.getPublic()));

        assertThat(verify(dns, signed)).extracting(DkimVerdict::result, DkimVerdict::domain)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(DkimResult.PASS, "example.org"));
        assertThat(verify(dns, signed.replace("Subject: Lunch", "Subject: Dinner")))
                .extracting(DkimVerdict::result).containsExactly(DkimResult.FAIL);
    }

    @Test
    void changesToSignedPartsFailAndTransportFoldingDoesNot() throws Exception {
        KeyPair keys = DkimKeys.generate(DkimAlgorithm.RSA_SHA256);
        String signed = sign(keys, MESSAGE);
        ScriptedDnsLookup dns = dns(keys);

        assertThat(single(dns, signed)).isEqualTo(DkimResult.PASS);
        assertThat(single(dns, signed.replace("Subject: Lunch   on\r\n  Friday?", "Subject: Lunch on Friday?")))
                .as("relaxed: white space and folding may change").isEqualTo(DkimResult.PASS);
        assertThat(single(dns, signed.replace("Alice\r\n\r\n\r\n", "Alice\r\n"))).as("empty lines at the end")
                .isEqualTo(DkimResult.PASS);
        assertThat(single(dns, signed.replace("let's meet", "let us meet"))).isEqualTo(DkimResult.FAIL);
        assertThat(single(dns, signed.replace("From: Alice <alice@example.org>\r\n",
                "From: Alice <alice@example.org>\r\nFrom: Mallory <boss@example.org>\r\n")))
                .as("From is over-signed: a second one breaks the signature").isEqualTo(DkimResult.FAIL);
        assertThat(single(dns, "X-Added: after signing\r\n" + signed)).as("unsigned fields may be added")
                .isEqualTo(DkimResult.PASS);
    }

    @Test
    void keyProblemsAreErrorsNotFailures() throws Exception {
        KeyPair keys = DkimKeys.generate(DkimAlgorithm.RSA_SHA256);
        String signed = sign(keys, MESSAGE);
        assertThat(single(new ScriptedDnsLookup(), signed)).isEqualTo(DkimResult.PERMERROR);
        assertThat(single(new ScriptedDnsLookup().failing("s1._domainkey.example.org"), signed)).isEqualTo(DkimResult.TEMPERROR);
        assertThat(single(new ScriptedDnsLookup().txt("s1._domainkey.example.org", "v=DKIM1; k=rsa; p="), signed))
                .isEqualTo(DkimResult.PERMERROR);
        assertThat(verify(new ScriptedDnsLookup(), MESSAGE)).extracting(DkimVerdict::result).containsExactly(DkimResult.NONE);
        assertThat(single(dns(keys), "DKIM-Signature: v=1; a=rsa-sha256; d=example.org\r\n" + MESSAGE))
                .isEqualTo(DkimResult.PERMERROR);
    }

    @Test
    void signsFromOnceMoreThanPresentAndOnlyFieldsThatExist() throws Exception {
        KeyPair keys = DkimKeys.generate(DkimAlgorithm.RSA_SHA256);
        HeaderField field = RawMessage.parse(sign(keys, MESSAGE).getBytes(StandardCharsets.ISO_8859_1)).headers().get(0);
        String h = field.unfoldedValue().replaceAll(".*[; ]h=([^;]*);.*", "$1").replaceAll("\\s", "");
        assertThat(h).isEqualTo("from:from:subject:date:to:to:message-id:mime-version:content-type");
    }

    @Test
    void keysRoundTripThroughPemFilesReadableByTheOwnerOnly() throws Exception {
        KeyPair keys = DkimKeys.generate(DkimAlgorithm.RSA_SHA256);
        Path file = dir.resolve("example.org.s1.pem");
        DkimKeys.writePrivateKey(keys.getPrivate(), file);
        assertThat(DkimKeys.readPrivateKey(file)).isEqualTo(keys.getPrivate());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(DkimKeys.txtRecord("example.org", "s1", keys.getPublic()))
                .startsWith("s1._domainkey.example.org. IN TXT \"v=DKIM1; k=rsa; p=MIIBIjAN");
    }

    private static String sign(KeyPair keys, String message) throws Exception {
        DkimSigner signer = new DkimSigner("example.org", "s1", keys.getPrivate());
        return signer.sign(RawMessage.parse(message.getBytes(StandardCharsets.ISO_8859_1)), NOW) + "\r\n" + message;
    }

    private static ScriptedDnsLookup dns(KeyPair keys) {
        return new ScriptedDnsLookup().txt("s1._domainkey.example.org", "v=DKIM1; k=rsa; p=" + DkimKeys.publicKeyTag(keys.getPublic()));
    }

    private static List<DkimVerdict> verify(ScriptedDnsLookup dns, String message) {
        return new DkimVerifier(dns).verify(RawMessage.parse(message.getBytes(StandardCharsets.ISO_8859_1)), NOW);
    }

    private static DkimResult single(ScriptedDnsLookup dns, String message) {
        List<DkimVerdict> v = verify(dns, message);
        assertThat(v).hasSize(1);
        return v.get(0).result();
    }
}
