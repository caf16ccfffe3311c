package org.postlet.queue.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

    /** Records every batch it is given; the first one can be held until released. */
    private static final class Batches implements GroupCommit.Batch<String> {
        final List<List<String>> seen = new CopyOnWriteArrayList<>();
        final CountDownLatch firstStarted = new CountDownLatch(1);
        final CountDownLatch releaseFirst;

        Batches(boolean holdFirst) {
            releaseFirst = new CountDownLatch(holdFirst ? 1 : 0);
        }

        @Override
        public void commit(List<String> items) throws IOException {
            seen.add(List.copyOf(items));
            firstStarted.countDown();
            try {
                releaseFirst.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void await(CompletableFuture<Void> f) throws Exception {
        f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aLoneRequestIsCommittedAtOnceAndThoseArrivingDuringACommitShareTheNext() throws Exception {
        Batches batches = new Batches(true);
        try (GroupCommit<String> commit = new GroupCommit<>("test-commit", batches)) {
            CompletableFuture<Void> first = commit.submit("a");
            assertTrue(batches.firstStarted.await(10, TimeUnit.SECONDS));
            CompletableFuture<Void> b = commit.submit("b");
            CompletableFuture<Void> c = commit.submit("c");
            assertFalse(b.isDone());
            batches.releaseFirst.countDown();
            await(first);
            await(b);
            await(c);
            assertEquals(List.of(List.of("a"), List.of("b", "c")), batches.seen);
        }
    }

    @Test
    void aRiderWaitsForTheNextRequestInsteadOfWakingTheThread() throws Exception {
        Batches batches = new Batches(false);
        try (GroupCommit<String> commit = new GroupCommit<>("test-commit", Duration.ZERO, Duration.ofSeconds(30), batches)) {
            CompletableFuture<Void> rider = commit.submitRiding("done-1");
            Thread.sleep(200);
            assertFalse(rider.isDone(), "a rider alone must not be committed before its rideAlong");
            assertTrue(batches.seen.isEmpty());
            await(commit.submit("mail-2"));
            await(rider);
            assertEquals(List.of(List.of("mail-2", "done-1")), batches.seen);
        }
    }

    @Test
    void aRiderAloneIsCommittedWhenTheIdleThreadLooks() throws Exception {
        Batches batches = new Batches(false);
        try (GroupCommit<String> commit = new GroupCommit<>("test-commit", Duration.ZERO, Duration.ofMillis(50), batches)) {
            await(commit.submitRiding("done-1"));
            assertEquals(List.of(List.of("done-1")), batches.seen);
        }
    }

    @Test
    void closingCommitsTheWaitingRiders() throws Exception {
        Batches batches = new Batches(false);
        CompletableFuture<Void> rider;
        try (GroupCommit<String> commit = new GroupCommit<>("test-commit", Duration.ZERO, Duration.ofSeconds(30), batches)) {
            rider = commit.submitRiding("done-1");
        }
        assertTrue(rider.isDone());
        await(rider);
        assertEquals(List.of(List.of("done-1")), batches.seen);
    }

    @Test
    void aLingerGathersRequestsArrivingShortlyAfterTheFirst() throws Exception {
        Batches batches = new Batches(false);
        try (GroupCommit<String> commit = new GroupCommit<>("test-commit", Duration.ofMillis(500), Duration.ZERO, batches)) {
            CompletableFuture<Void> a = commit.submit("a");
            Thread.sleep(50);
            CompletableFuture<Void> b = commit.submit("b");
            await(a);
            await(b);
            assertEquals(List.of(List.of("a", "b")), batches.seen);
        }
    }

    @Test
    void aFailedCommitFailsEveryRequestOfItsBatchRidersIncluded() throws Exception {
        GroupCommit.Batch<String> failing = items -> {
            throw new IOException("disk full");
        };
        try (GroupCommit<String> commit = new GroupCommit<>("test-commit", Duration.ZERO, Duration.ofSeconds(30), failing)) {
            CompletableFuture<Void> rider = commit.submitRiding("done-1");
            CompletableFuture<Void> request = commit.submit("mail-2");
            ExecutionException e = assertThrows(ExecutionException.class, () -> request.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("disk full"), e.getCause().getMessage());
            assertThrows(ExecutionException.class, () -> rider.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aCommitWithoutRideAlongTakesNoRiders() {
        try (GroupCommit<String> commit = new GroupCommit<>("test-commit", items -> { })) {
            assertThrows(IllegalStateException.class, () -> commit.submitRiding("done-1"));
        }
    }
}
