package org.postlet.auth.spf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postlet.auth.Python;
import org.postlet.auth.dns.Resolvers;
import org.postlet.testsupport.dns.ScriptedDns;

/** Every SPF result, mechanism and limit on a real DNS (dnsmasq), each compared with pyspf's answer. */
class SpfCheckerTest {

    /** One check: the client, the MAIL FROM ("-" for the HELO identity), the HELO name and the expected result. */
    private record Case(String ip, String sender, String helo, SpfResult expected) {
        String line() {
            return ip + " " + sender + " " + helo;
        }
    }

    private static ScriptedDns dns;

    @BeforeAll
    static void startDns() throws Exception {
        ScriptedDns.Builder b = ScriptedDns.builder()
                .txt("pass.test", "v=spf1 ip4:192.0.2.0/24 -all")
                .txt("soft.test", "v=spf1 ip4:192.0.2.1 ~all")
                .txt("neutral.test", "v=spf1 ?all")
                .txt("empty.test", "v=spf1")
                .host("nospf.test", "192.0.2.1")
                .txt("nospf.test", "some other text")
                .txt("unknown.test", "v=spf1 frob:x -all")
                .txt("two.test", "v=spf1 -all").txt("two.test", "v=spf1 +all")
                .txt("inc.test", "v=spf1 include:pass.test -all")
                .txt("incnone.test", "v=spf1 include:nospf.test -all")
                .txt("a.test", "v=spf1 a a:other.a.test/24 -all").host("a.test", "198.51.100.7").host("other.a.test", "203.0.113.200")
                .txt("mx.test", "v=spf1 mx -all").mx("mx.test", "mail.mx.test", 10).host("mail.mx.test", "198.51.100.30")
                .txt("v6.test", "v=spf1 ip6:2001:db8::/32 -all")
                .txt("exists.test", "v=spf1 exists:%{i}.allow.test exists:%{l}.users.test -all")
                .host("192.0.2.40.allow.test", "127.0.0.2").host("alice.users.test", "127.0.0.2")
                .txt("redir.test", "v=spf1 redirect=pass.test")
                .txt("redirnone.test", "v=spf1 redirect=nospf.test")
                .txt("timeout.test", "v=spf1 include:x.dead.test -all")
                .txt("helo.example.test", "v=spf1 a -all").host("helo.example.test", "192.0.2.99");
        // A chain of 11 includes: the 11th lookup is over the limit of 10.
        for (int i = 0; i < 11; i++) {
            b.txt("chain" + i + ".test", "v=spf1 include:chain" + (i + 1) + ".test -all");
        }
        b.txt("chain11.test", "v=spf1 +all");
        // Three lookups that find nothing: over the void limit of 2.
        b.txt("void.test", "v=spf1 a:n1.void.test a:n2.void.test a:n3.void.test +all");
        dns = b.start();
    }

    @AfterAll
    static void stopDns() throws Exception {
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void givesEveryResultLikePyspf() throws Exception {
        Python.require("spf", "python3-spf");
        List<Case> cases = List.of(
                new Case("192.0.2.10", "alice@pass.test", "c.example", SpfResult.PASS),
                new Case("198.51.100.1", "alice@pass.test", "c.example", SpfResult.FAIL),
                new Case("198.51.100.1", "alice@soft.test", "c.example", SpfResult.SOFTFAIL),
                new Case("198.51.100.1", "alice@neutral.test", "c.example", SpfResult.NEUTRAL),
                new Case("198.51.100.1", "alice@empty.test", "c.example", SpfResult.NEUTRAL),
                new Case("198.51.100.1", "alice@nospf.test", "c.example", SpfResult.NONE),
                new Case("198.51.100.1", "alice@nowhere.test", "c.example", SpfResult.NONE),
                new Case("198.51.100.1", "alice@unknown.test", "c.example", SpfResult.PERMERROR),
                new Case("198.51.100.1", "alice@two.test", "c.example", SpfResult.PERMERROR),
                new Case("192.0.2.5", "alice@inc.test", "c.example", SpfResult.PASS),
                new Case("198.51.100.5", "alice@inc.test", "c.example", SpfResult.FAIL),
                new Case("198.51.100.5", "alice@incnone.test", "c.example", SpfResult.PERMERROR),
                new Case("198.51.100.7", "alice@a.test", "c.example", SpfResult.PASS),
                new Case("203.0.113.9", "alice@a.test", "c.example", SpfResult.PASS),
                new Case("203.0.114.9", "alice@a.test", "c.example", SpfResult.FAIL),
                new Case("198.51.100.30", "alice@mx.test", "c.example", SpfResult.PASS),
                new Case("198.51.100.31", "alice@mx.test", "c.example", SpfResult.FAIL),
                new Case("2001:db8::25", "alice@v6.test", "c.example", SpfResult.PASS),
                new Case("2001:db9::25", "alice@v6.test", "c.example", SpfResult.FAIL),
                new Case("192.0.2.40", "bob@exists.test", "c.example", SpfResult.PASS),
                new Case("192.0.2.41", "alice@exists.test", "c.example", SpfResult.PASS),
                new Case("192.0.2.41", "bob@exists.test", "c.example", SpfResult.FAIL),
                new Case("192.0.2.10", "alice@redir.test", "c.example", SpfResult.PASS),
                new Case("198.51.100.1", "alice@redir.test", "c.example", SpfResult.FAIL),
                new Case("198.51.100.1", "alice@redirnone.test", "c.example", SpfResult.PERMERROR),
                new Case("198.51.100.1", "alice@chain0.test", "c.example", SpfResult.PERMERROR),
                new Case("198.51.100.1", "alice@chain1.test", "c.example", SpfResult.PASS),
                new Case("198.51.100.1", "alice@void.test", "c.example", SpfResult.PERMERROR),
                new Case("198.51.100.1", "alice@timeout.test", "c.example", SpfResult.TEMPERROR),
                new Case("192.0.2.99", "-", "helo.example.test", SpfResult.PASS),
                new Case("192.0.2.98", "-", "helo.example.test", SpfResult.FAIL));

        SpfChecker checker = new SpfChecker(Resolvers.of(dns));
        List<String> ours = new ArrayList<>();
        for (Case c : cases) {
            InetAddress ip = InetAddress.getByName(c.ip());
            SpfVerdict v = c.sender().equals("-") ? checker.checkHelo(ip, c.helo())
                    : checker.checkMailFrom(ip, Optional.of(c.sender()), c.helo());
            ours.add(c.line() + " " + v.result().text());
        }
        List<String> expected = cases.stream().map(c -> c.line() + " " + c.expected().text()).toList();
        List<String> pyspf = pyspf(cases);

        assertThat(ours).isEqualTo(expected);
        assertThat(ours).as("pyspf agrees").isEqualTo(pyspf);
    }

    @Test
    void theNullSenderIsCheckedAsPostmasterOfTheHeloName() throws Exception {
        SpfVerdict v = new SpfChecker(Resolvers.of(dns)).checkMailFrom(InetAddress.getByName("192.0.2.99"), Optional.empty(),
                "helo.example.test");
        assertThat(v.result()).isEqualTo(SpfResult.PASS);
        assertThat(v.identity()).isEqualTo("postmaster@helo.example.test");
        assertThat(new SpfChecker(Resolvers.of(dns)).checkHelo(InetAddress.getByName("192.0.2.99"), "[192.0.2.99]").result())
                .isEqualTo(SpfResult.NONE);
    }

    private static List<String> pyspf(List<Case> cases) throws IOException, InterruptedException {
        Path input = Files.createTempFile("spf-cases", ".txt");
        Files.write(input, cases.stream().map(Case::line).toList(), StandardCharsets.US_ASCII);
        String[] results = Python.runWithInput(input, "pyspf.py", String.valueOf(dns.port())).strip().split("\n");
        Files.delete(input);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            out.add(cases.get(i).line() + " " + results[i].strip());
        }
        return out;
    }
}
