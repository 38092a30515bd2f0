package io.completionring;

import static io.completionring.TestSupport.resultFor;
import static io.completionring.TestSupport.spin;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Linux 2.6.24 hang (seed 000) as a loop: a reaper parked in {@code getEvents(1, 1)} on ring A, the producer
 * completes one event into A after a random short spin, the reaper replies through ring B (where the producer is the
 * parked reaper), repeat. A lost wake-up on either ring stops the loop forever; the watchdog (the calling thread) calls
 * it a hang when no round finishes for {@code stall}. Shared by the unit test and the long-haul stress.
 */
final class PingPong {

    /** What a run saw; {@code hang} describes the hang when {@code hangs} is 1. */
    record Counts(long rounds, long wrongEvents, long torn, long hangs, String hang) {
        boolean clean() {
            return wrongEvents == 0 && torn == 0 && hangs == 0;
        }

        @Override
        public String toString() {
            return "rounds=" + rounds + " wrongEvents=" + wrongEvents + " torn=" + torn + " hangs=" + hangs
                    + (hang == null ? "" : "\n" + hang);
        }
    }

    private final long rounds;
    private final int requestSpinBudget;
    private final int replySpinBudget;
    private final int maxDelaySpins;
    private final long seed;
    private final AtomicLong done = new AtomicLong();

    /**
     * @param requestSpinBudget the spin budget of ring A, where the reaper waits: 0 parks it at once
     * @param replySpinBudget   the spin budget of ring B, where the producer waits for the reply. A large budget keeps
     *                          the producer running, so that its next completion lands while the reaper is on its way
     *                          into park: the window in which a missing fence loses the wake-up.
     * @param maxDelaySpins     the producer spins a random 0..maxDelaySpins before each completion, the reaper as long
     *                          before each reply
     */
    PingPong(long rounds, int requestSpinBudget, int replySpinBudget, int maxDelaySpins, long seed) {
        this.rounds = rounds;
        this.requestSpinBudget = requestSpinBudget;
        this.replySpinBudget = replySpinBudget;
        this.maxDelaySpins = maxDelaySpins;
        this.seed = seed;
    }

    Counts run(Duration stall) throws InterruptedException {
        CompletionRing request = CompletionRing.builder().capacity(1).spinBudget(requestSpinBudget).build();
        CompletionRing reply = CompletionRing.builder().capacity(1).spinBudget(replySpinBudget).build();
        long[] wrong = new long[2];                         // [0] by the reaper, [1] by the producer
        long[] torn = new long[2];
        String hang = null;
        try (Workers workers = new Workers()) {
            workers.start("reaper", () -> {
                SplittableRandom random = new SplittableRandom(seed + 1);
                CompletionEvent[] events = CompletionEvent.newArray(1);
                long expected = 0;
                while (request.getEvents(1, 1, events) == 1) {
                    long userData = events[0].userData();
                    if (events[0].result() != resultFor(userData)) {
                        torn[0]++;
                    }
                    if (userData != expected++) {
                        wrong[0]++;
                    }
                    spin(random.nextInt(maxDelaySpins + 1));
                    if (!reply.trySubmit()) {
                        throw new AssertionError("reply ring full in round " + userData);
                    }
                    reply.complete(userData, resultFor(userData));
                }
            });
            workers.start("producer", () -> {
                SplittableRandom random = new SplittableRandom(seed);
                CompletionEvent[] events = CompletionEvent.newArray(1);
                for (long round = 0; round < rounds; round++) {
                    spin(random.nextInt(maxDelaySpins + 1));
                    if (!request.trySubmit()) {
                        throw new AssertionError("request ring full in round " + round);
                    }
                    request.complete(round, resultFor(round));
                    int n = reply.getEvents(1, 1, events);
                    if (n != 1 || events[0].userData() != round) {
                        wrong[1]++;
                    } else if (events[0].result() != resultFor(round)) {
                        torn[1]++;
                    }
                    done.lazySet(round + 1);
                }
                request.close();
            });
            long last = -1;
            long lastChange = System.nanoTime();
            while (!workers.awaitDone(Duration.ofMillis(100))) {
                long d = done.get();
                if (d != last) {
                    last = d;
                    lastChange = System.nanoTime();
                } else if (System.nanoTime() - lastChange > stall.toNanos()) {
                    hang = "hang in round " + d + " of " + rounds + ": no round finished for " + stall.toMillis()
                            + " ms; request ring " + request.stats() + " ready " + request.ready() + ", reply ring "
                            + reply.stats() + " ready " + reply.ready() + workers.stacks();
                    break;
                }
            }
        }
        return new Counts(done.get(), wrong[0] + wrong[1], torn[0] + torn[1], hang == null ? 0 : 1, hang);
    }
}
