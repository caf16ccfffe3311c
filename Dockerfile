# Postlet in a container: built from this checkout with the Maven wrapper, run on a JRE as the
# non-root user "postlet" (uid 1000, the uid Dovecot's image delivers as, so both can share the
# Maildir volume). Inside the container Postlet listens on 2525/2587/2465 (no privileged ports, no
# setcap); docker-compose.yml maps the host's 25/587/465 to them. See docs/operations.md.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -DskipTests package \
 && mkdir -p /opt/postlet \
 && tar -xzf distribution/target/postlet-*.tar.gz --strip-components=1 -C /opt/postlet
# The container's own main configuration: listeners on 2525/2587/2465, spool and mail on the volumes.
COPY docker/postlet.yaml /opt/postlet/conf/postlet.yaml

FROM eclipse-temurin:17-jre
# Ubuntu-based images ship a user "ubuntu" with uid 1000; Postlet takes that uid.
RUN (userdel --remove ubuntu 2>/dev/null || true) && (groupdel ubuntu 2>/dev/null || true) \
 && groupadd --gid 1000 postlet \
 && useradd --uid 1000 --gid postlet --home-dir /var/lib/postlet --no-create-home --shell /usr/sbin/nologin postlet \
 && mkdir -p /var/lib/postlet/mail /var/lib/postlet/spool /var/lib/postlet/error /var/lib/postlet/tls \
 && chown -R postlet:postlet /var/lib/postlet
COPY --from=build /opt/postlet /opt/postlet
# conf/ names its data folder as ../var (e.g. pipeline.yaml's "../var/error"): make that the data volume's parent.
RUN ln -s /var/lib/postlet /opt/postlet/var
USER postlet
WORKDIR /var/lib/postlet
VOLUME ["/var/lib/postlet/mail", "/var/lib/postlet/spool", "/var/lib/postlet/error"]
# SMTP (mx), submission (STARTTLS), submissions (implicit TLS), metrics/health.
EXPOSE 2525 2587 2465 9025
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75"
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9025 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# bin/postlet exec's java, so the JVM is PID 1 and gets SIGTERM from "docker stop" directly.
ENTRYPOINT ["/opt/postlet/bin/postlet"]
CMD ["run", "--conf", "/opt/postlet/conf"]
