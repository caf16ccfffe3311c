package org.postlet.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postlet.server.metrics.ServerMetric;
import org.postlet.testsupport.Prerequisites;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine or systemd here, so the packaging files are checked for what can be checked:
 * they parse, they agree with each other (ports, volumes, paths), and every path inside the
 * installation they name exists in the tarball ({@code /opt/postlet/X} is {@code postlet-VERSION/X}).
 */
class PackagingIT {

    private static final Set<String> DOCKERFILE_INSTRUCTIONS = Set.of("FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD",
            "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL");
    private static final Pattern OPT_POSTLET = Pattern.compile("/opt/postlet(/[A-Za-z0-9._/-]*)?");

    @TempDir
    Path dir;
    private Path home;

    @BeforeEach
    void unpack() throws Exception {
        home = Tarball.unpack(dir);
    }

    @Test
    void dockerfileIsMultiStageNonRootAndNamesOnlyPathsThatExist() throws IOException {
        List<String> instructions = dockerInstructions(Tarball.SOURCE.resolve("Dockerfile"));

        List<String> froms = instructions.stream().filter(i -> i.startsWith("FROM ")).toList();
        assertThat(froms).containsExactly("FROM eclipse-temurin:17-jdk AS build", "FROM eclipse-temurin:17-jre");
        assertThat(instructions).anyMatch(i -> i.startsWith("RUN ./mvnw -B -DskipTests package"))
                .contains("USER postlet", "COPY --from=build /opt/postlet /opt/postlet")
                .anyMatch(i -> i.startsWith("VOLUME ") && i.contains("/var/lib/postlet/mail") && i.contains("/var/lib/postlet/spool"));
        for (String i : instructions) {
            if (i.startsWith("COPY ") && !i.contains("--from=")) {
                String source = i.split("\\s+")[1];
                if (!source.equals(".")) {
                    assertThat(Tarball.SOURCE.resolve(source)).as(i).exists();
                }
            }
        }
        assertThat(instructions).contains("ENTRYPOINT [\"/opt/postlet/bin/postlet\"]");
        assertInstallationPathsExist(String.join("\n", instructions.stream()
                .filter(i -> !i.startsWith("RUN") && !i.startsWith("COPY")).toList()), "Dockerfile");
        assertThat(home.resolve("bin/postlet")).isExecutable();

        Set<Integer> exposed = new TreeSet<>();
        instructions.stream().filter(i -> i.startsWith("EXPOSE ")).forEach(i -> {
            for (String p : i.substring(7).trim().split("\\s+")) {
                exposed.add(Integer.parseInt(p.replace("/tcp", "")));
            }
        });
        assertThat(exposed).as("EXPOSE covers every port docker/postlet.yaml listens on").containsAll(dockerConfigPorts());
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeRunsPostletBesideDovecotOnOneMaildirVolume() throws IOException {
        Map<String, Object> compose = yaml(Tarball.SOURCE.resolve("docker-compose.yml"));
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        assertThat(services).containsKeys("postlet", "dovecot");
        Map<String, Object> postlet = (Map<String, Object>) services.get("postlet");
        Map<String, Object> dovecot = (Map<String, Object>) services.get("dovecot");
        assertThat((String) dovecot.get("image")).startsWith("dovecot/dovecot:2.3");

        Map<String, Integer> hostToContainer = new LinkedHashMap<>();
        for (Object p : (List<Object>) postlet.get("ports")) {
            String[] parts = p.toString().split(":");
            hostToContainer.put(parts[parts.length - 2], Integer.parseInt(parts[parts.length - 1]));
        }
        assertThat(hostToContainer).containsKeys("25", "587", "465");
        assertThat(dockerConfigPorts()).as("the container ports compose maps are the ones Postlet listens on")
                .containsAll(List.of(hostToContainer.get("25"), hostToContainer.get("587"), hostToContainer.get("465")));

        Map<String, Object> config = yaml(Tarball.SOURCE.resolve("docker/postlet.yaml"));
        String maildirRoot = ((Map<String, Map<String, String>>) config.get("storage")).get("maildir").get("root");
        Map<String, String> postletMounts = mounts(postlet);
        Map<String, String> dovecotMounts = mounts(dovecot);
        assertThat(postletMounts.get(maildirRoot)).as("a volume holds the Maildirs").isNotNull();
        assertThat(postletMounts.get(config.get("spool").toString())).as("a volume holds the spool").isNotNull();
        assertThat(dovecotMounts.get("/srv/mail")).as("Dovecot mounts the same volume").isEqualTo(postletMounts.get(maildirRoot));
        assertThat((Map<String, Object>) compose.get("volumes")).containsKey(postletMounts.get(maildirRoot));

        for (Map<String, String> m : List.of(postletMounts, dovecotMounts)) {
            for (Map.Entry<String, String> e : m.entrySet()) {
                if (e.getValue().startsWith("./")) {
                    assertThat(Tarball.SOURCE.resolve(e.getValue())).as("bind mount source " + e.getValue()).exists();
                }
                if (e.getKey().startsWith("/opt/postlet/")) {
                    assertThat(home.resolve(e.getKey().substring("/opt/postlet/".length()))).as(e.getKey()).exists();
                }
            }
        }

        String dovecotConf = Files.readString(Tarball.SOURCE.resolve("docker/dovecot/dovecot.conf"), StandardCharsets.UTF_8);
        assertThat(dovecotConf).containsPattern("(?m)^mail_location = maildir:/srv/mail/%L?d/%L?n$")
                .contains("driver = passwd-file", "/etc/dovecot/users.passwd");
        assertThat(dovecotMounts).containsKeys("/etc/dovecot/dovecot.conf", "/etc/dovecot/users.passwd");
        assertThat(dovecotMounts.get("/etc/dovecot/users.passwd")).as("the same users as Postlet")
                .isEqualTo(postletMounts.get("/opt/postlet/conf/users.passwd"));
    }

    @Test
    void systemdUnitIsHardenedAndStartsTheInstalledLauncher() throws IOException {
        Map<String, Map<String, List<String>>> unit = systemdUnit(Tarball.SOURCE.resolve("packaging/postlet.service"));

        assertThat(unit).containsKeys("Unit", "Service", "Install");
        Map<String, List<String>> service = unit.get("Service");
        assertThat(service.get("ExecStart")).containsExactly("/opt/postlet/bin/postlet run --conf /etc/postlet");
        assertThat(service.get("User")).containsExactly("postlet");
        assertThat(service.get("NoNewPrivileges")).containsExactly("yes");
        assertThat(service.get("ProtectSystem")).containsExactly("strict");
        assertThat(service.get("PrivateTmp")).containsExactly("yes");
        assertThat(service.get("AmbientCapabilities")).containsExactly("CAP_NET_BIND_SERVICE");
        assertThat(service.get("Restart")).containsExactly("on-failure");
        assertThat(String.join(" ", service.get("ReadWritePaths"))).contains("/var/lib/postlet/spool", "/var/lib/postlet/mail");
        assertThat(service.get("CacheDirectory")).as("a writable folder for the JVM's AOT cache").containsExactly("postlet");
        assertThat(String.join(" ", service.get("Environment"))).contains("POSTLET_AOT_DIR=/var/cache/postlet");
        assertThat(unit.get("Install").get("WantedBy")).containsExactly("multi-user.target");
        assertInstallationPathsExist(String.join("\n", service.get("ExecStart")), "postlet.service");
        assertThat(home.resolve("packaging/postlet.service")).as("shipped in the tarball").isRegularFile();
    }

    @Test
    void operationsDocListsEveryMetricAndConfigurationDocEveryShippedKey() throws IOException {
        String operations = Files.readString(home.resolve("docs/operations.md"), StandardCharsets.UTF_8);
        for (ServerMetric metric : ServerMetric.values()) {
            assertThat(operations).as("docs/operations.md lists " + metric).contains("`" + metric.pattern() + "`")
                    .contains("`" + metric.prometheusName());
        }
        String configuration = Files.readString(home.resolve("docs/configuration.md"), StandardCharsets.UTF_8);
        for (Path conf : List.of(home.resolve("conf/postlet.yaml"), Tarball.SOURCE.resolve("docker/postlet.yaml"))) {
            for (String key : flatKeys("", yaml(conf))) {
                assertThat(configuration).as("docs/configuration.md documents " + key + " (used in " + conf + ")")
                        .contains("`" + key + "`");
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void grafanaDashboardAndAlertRulesUseOnlyExportedMetricsAndTheRulesFireAsTested() throws Exception {
        Path dashboard = home.resolve("packaging/grafana/postlet-dashboard.json");
        Path alerts = home.resolve("packaging/prometheus/postlet-alerts.yml");
        String dashboardText = Files.readString(dashboard, StandardCharsets.UTF_8);
        // JSON is YAML: one parser for both files.
        Map<String, Object> board = new Yaml().load(dashboardText);
        assertThat((List<Object>) board.get("panels")).hasSizeGreaterThan(8);
        Map<String, Object> rules = yaml(alerts);
        List<Map<String, Object>> alertRules = (List<Map<String, Object>>) ((List<Map<String, Object>>) rules.get("groups"))
                .get(0).get("rules");
        assertThat(alertRules).extracting(r -> r.get("alert")).contains("PostletMailStuck", "PostletManyDeferred",
                "PostletTemporaryDeliveryFailures", "PostletPermanentDeliveryFailures", "PostletTlsHandshakeFailures",
                "PostletSpoolDiskLow", "PostletMaildirDiskLow");

        Set<String> exported = new TreeSet<>();
        for (ServerMetric m : ServerMetric.values()) {
            String name = m.prometheusName();
            switch (m.kind()) {
                case METER, COUNTER -> exported.add(name + "_total");
                case TIMER, HISTOGRAM -> exported.addAll(List.of(name, name + "_count", name + "_sum"));
                case GAUGE -> exported.add(name);
            }
        }
        String both = dashboardText + Files.readString(alerts, StandardCharsets.UTF_8);
        Matcher used = Pattern.compile("\\bpostlet_[a-z0-9_]+").matcher(both);
        Set<String> names = new TreeSet<>();
        while (used.find()) {
            names.add(used.group());
        }
        assertThat(names).as("metric names in the dashboard and the alerts").isNotEmpty();
        assertThat(exported).as("GET /metrics exports every name the dashboard and alerts use").containsAll(names);

        Prerequisites.requireCommand("promtool", "prometheus");
        Process check = new ProcessBuilder("promtool", "check", "rules", alerts.toString()).redirectErrorStream(true).start();
        String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(checked).isZero();
        Process test = new ProcessBuilder("promtool", "test", "rules", "postlet-alerts-test.yml")
                .directory(alerts.getParent().toFile()).redirectErrorStream(true).start();
        String tested = new String(test.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(test.waitFor()).as(tested).isZero();
    }

    /** {@code a.b.c} for every leaf of a YAML tree; list items of maps as {@code key[].leaf}. */
    @SuppressWarnings("unchecked")
    private static Set<String> flatKeys(String prefix, Map<String, Object> tree) {
        Set<String> keys = new TreeSet<>();
        for (Map.Entry<String, Object> e : tree.entrySet()) {
            String key = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> m) {
                keys.addAll(flatKeys(key + ".", (Map<String, Object>) m));
            } else if (e.getValue() instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map<?, ?>) {
                for (Object item : l) {
                    keys.addAll(flatKeys(key + "[].", (Map<String, Object>) item));
                }
            } else {
                keys.add(key);
            }
        }
        return keys;
    }

    private void assertInstallationPathsExist(String text, String what) {
        Matcher m = OPT_POSTLET.matcher(text);
        int found = 0;
        while (m.find()) {
            String inside = m.group(1) == null ? "" : m.group(1).substring(1);
            assertThat(home.resolve(inside)).as(what + " names " + m.group() + ", which the tarball must have").exists();
            found++;
        }
        assertThat(found).as(what + " names paths under /opt/postlet").isPositive();
    }

    /** Instructions with continuation lines joined; comments and blank lines dropped; each starts with a known keyword. */
    private static List<String> dockerInstructions(Path file) throws IOException {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (current.length() == 0 && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            boolean continued = line.endsWith("\\");
            current.append(continued ? line.substring(0, line.length() - 1).strip() + " " : line);
            if (!continued) {
                String instruction = current.toString().strip();
                String keyword = instruction.split("\\s+", 2)[0];
                assertThat(DOCKERFILE_INSTRUCTIONS).as("Dockerfile instruction '" + instruction + "'").contains(keyword);
                instructions.add(instruction);
                current.setLength(0);
            }
        }
        assertThat(current.length()).as("Dockerfile ends inside a continued line").isZero();
        return instructions;
    }

    @SuppressWarnings("unchecked")
    private static Set<Integer> dockerConfigPorts() throws IOException {
        Map<String, Object> config = yaml(Tarball.SOURCE.resolve("docker/postlet.yaml"));
        Set<Integer> ports = new TreeSet<>();
        for (Map<String, Object> l : (List<Map<String, Object>>) ((Map<String, Object>) config.get("smtp")).get("listeners")) {
            ports.add((Integer) l.get("port"));
        }
        String metrics = ((Map<String, String>) config.get("metrics")).get("http");
        ports.add(Integer.parseInt(metrics.substring(metrics.lastIndexOf(':') + 1)));
        return ports;
    }

    /** A service's volumes as container path → source (named volume or ./host path). */
    @SuppressWarnings("unchecked")
    private static Map<String, String> mounts(Map<String, Object> service) {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Object v : (List<Object>) service.get("volumes")) {
            String[] parts = v.toString().split(":");
            mounts.put(parts[1], parts[0]);
        }
        return mounts;
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        return new Yaml().load(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** A systemd unit file: section → key → values (a key may repeat); every line must be a key=value or a section. */
    private static Map<String, Map<String, List<String>>> systemdUnit(Path file) throws IOException {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        int n = 0;
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1), k -> new LinkedHashMap<>());
                continue;
            }
            assertThat(current).as(file + ":" + n + ": a setting before any [Section]").isNotNull();
            int eq = line.indexOf('=');
            assertThat(eq).as(file + ":" + n + ": not key=value: " + line).isPositive();
            assertThat(line.substring(0, eq)).as(file + ":" + n).matches("[A-Za-z][A-Za-z0-9]*");
            current.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1));
        }
        return sections;
    }
}
