package org.postlet.outbound.sts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Expired policies leave the disk; fresh ones and files that are not the store's stay. Real files, a moved clock. */
class PolicyStoreTest {

    private static final Instant START = Instant.parse("2026-12-01T00:00:00Z");
    /** max_age one hour. */
    private static final String HOUR = "version: STSv1\nmode: enforce\nmx: mx1.remote.test\nmax_age: 3600\n";

    @TempDir
    Path dir;

    private final MovingClock clock = new MovingClock(START);

    private static KnownPolicy policy(String domain, Instant fetched) throws MalformedPolicyException {
        return new KnownPolicy(domain, "1", StsPolicy.parse(HOUR), fetched, HOUR);
    }

    /** Writes a policy file as another run of the store did, fetched at {@code fetched}. */
    private void stored(String domain, Instant fetched) throws Exception {
        new PolicyStore(dir, clock).save(policy(domain, fetched));
    }

    @Test
    void aPolicyWithinMaxAgeIsLoadedAndKept() throws Exception {
        stored("remote.test", START);
        clock.move(Duration.ofMinutes(59));

        assertThat(new PolicyStore(dir, clock).load("remote.test")).hasValueSatisfying(p -> {
            assertThat(p.id()).isEqualTo("1");
            assertThat(p.fetched()).isEqualTo(START);
        });
        assertThat(dir.resolve("remote.test")).exists();
    }

    @Test
    void anExpiredPolicyIsNotLoadedAndItsFileIsDeleted() throws Exception {
        stored("remote.test", START);
        clock.move(Duration.ofHours(1)); // max_age is over exactly now

        assertThat(new PolicyStore(dir, clock).load("remote.test")).isEmpty();
        assertThat(dir.resolve("remote.test")).doesNotExist();
    }

    @Test
    void theSweepDeletesExpiredPoliciesAndLeavesFreshOnesAndOtherFiles() throws Exception {
        stored("old.test", START.minus(Duration.ofHours(2)));
        stored("fresh.test", START.minus(Duration.ofMinutes(30)));
        stored("xn--bcher-kva.test", START.minus(Duration.ofDays(400)));
        Files.writeString(dir.resolve("notes.txt"), "a name like a domain, but not a policy\n");
        Files.writeString(dir.resolve("README"), "id: not a plain lower-case name\n\n");
        Files.writeString(dir.resolve(".new-123.tmp"), "a temporary file of a save that crashed");
        Files.createDirectory(dir.resolve("archive.test"));
        for (String name : new String[] {"notes.txt", "README", ".new-123.tmp", "archive.test"}) {
            Files.setLastModifiedTime(dir.resolve(name), FileTime.from(START.minus(Duration.ofDays(800))));
        }

        // Any use sweeps, the first time after start: here a domain that has no file at all.
        assertThat(new PolicyStore(dir, clock).load("unrelated.test")).isEmpty();

        assertThat(dir.resolve("old.test")).doesNotExist();
        assertThat(dir.resolve("xn--bcher-kva.test")).doesNotExist();
        assertThat(dir.resolve("fresh.test")).exists();
        assertThat(dir.resolve("notes.txt")).hasContent("a name like a domain, but not a policy");
        assertThat(dir.resolve("README")).exists();
        assertThat(dir.resolve(".new-123.tmp")).exists();
        assertThat(dir.resolve("archive.test")).isDirectory();
    }

    @Test
    void aDamagedFileIsDeletedBySweepOnlyWhenOlderThanTheLongestMaxAge() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("ancient.test"), "id: 1\nfetched: not a date\n\n" + HOUR);
        Files.setLastModifiedTime(dir.resolve("ancient.test"), FileTime.from(START.minus(StsPolicy.MAX_AGE_LIMIT)
                .minusSeconds(1)));
        Files.writeString(dir.resolve("recent.test"), "id: 1\nfetched: not a date\n\n" + HOUR);
        Files.setLastModifiedTime(dir.resolve("recent.test"), FileTime.from(START.minus(StsPolicy.MAX_AGE_LIMIT)
                .plusSeconds(60)));
        PolicyStore store = new PolicyStore(dir, clock);

        // Loading a damaged file reports it and leaves it, as before: the next fetch overwrites it.
        assertThatThrownBy(() -> store.load("recent.test")).isInstanceOf(MalformedPolicyException.class);

        assertThat(dir.resolve("ancient.test")).doesNotExist();
        assertThat(dir.resolve("recent.test")).exists();
    }

    @Test
    void theSweepRunsAtMostOnceADay() throws Exception {
        PolicyStore store = new PolicyStore(dir, clock);
        store.load("unrelated.test"); // the first sweep after start
        stored("late.test", START.minus(Duration.ofDays(3))); // already expired, written after that sweep

        clock.move(Duration.ofHours(24).minusMinutes(1));
        store.save(policy("other.test", clock.instant()));
        store.load("unrelated.test");
        assertThat(dir.resolve("late.test")).exists();

        clock.move(Duration.ofMinutes(1));
        store.load("unrelated.test");
        assertThat(dir.resolve("late.test")).doesNotExist();
        assertThat(dir.resolve("other.test")).exists();
    }

    @Test
    void aStoreWithoutItsFolderYetSweepsNothingAndLoadsNothing() throws Exception {
        PolicyStore store = new PolicyStore(dir.resolve("mta-sts"), clock);

        assertThat(store.load("remote.test")).isEmpty();
        assertThat(dir.resolve("mta-sts")).doesNotExist();
    }
}
