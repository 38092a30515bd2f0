package io.completionring;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import io.completionring.HistoryChecker.Kind;
import io.completionring.HistoryChecker.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Takes of up to {@code nr > 1} events against the written contract: a run holds between 1 and {@code min(nr, ready)}
 * events at the instant of its head CAS, which may be fewer than were ready then; Lincheck's deterministic {@code Spec}
 * can only demand {@code min(nr, ready)}, so its tests take one event at a time ({@link CompletionRingLincheckTest})
 * and this test checks the rest with {@link HistoryChecker}: random scenarios in Lincheck's shape (2 operations
 * before, 3 threads of 3 operations, 2 after; capacity 2), each run many times on a fresh ring, every history checked.
 * The control runs {@link RacyHeadRing} (reapers that move the head without a CAS) through the same search, which
 * must find a history the contract forbids.
 */
class RunsLinearizabilityTest {

    private static final int CAPACITY = 2;
    private static final int THREADS = 3;
    private static final int SCENARIOS = 150;
    private static final int INVOCATIONS = 400;

    /** The operations of a ring under test, as the history records them. */
    interface Target {
        boolean trySubmit(int n);

        /** Completes n events, userData u, u + 4, ...; false where the ring refuses (nothing reserved). */
        boolean complete(int n, long u);

        /** Takes up to nr events, as [userData, result, ...]. */
        long[] take(int nr, boolean poll);
    }

    @Test
    @Timeout(300)
    void singleProducerTakesMatchTheContract() throws InterruptedException {
        final String violation = search(() -> new RingTarget(CompletionRing.create(CAPACITY)), false, 1);
        if (violation != null) {
            fail("a history the contract does not allow:\n" + violation);
        }
    }

    @Test
    @Timeout(300)
    void multiProducerTakesMatchTheContract() throws InterruptedException {
        final String violation = search(() -> new RingTarget(
                CompletionRing.builder().capacity(CAPACITY).multiProducer(true).build()), true, 2);
        if (violation != null) {
            fail("a history the contract does not allow:\n" + violation);
        }
    }

    @Test
    @Timeout(300)
    void controlTheSearchFindsTheDuplicatesOfARingWithoutTheHeadCas() throws InterruptedException {
        final String violation = search(() -> new RacyTarget(new RacyHeadRing(CAPACITY)), false, 3);
        assertFalse(violation == null, "the search accepted a ring whose reapers take the same events");
    }

    /**
     * Runs the scenarios and returns the first history the checker rejects, or null. With {@code multiProducer}
     * every thread may complete (and a take first waits until no complete of the test is running, as in {@link
     * MultiProducerLincheckTest}); otherwise every complete of the parallel part is thread 0's.
     */
    private static String search(Supplier<Target> targets, boolean multiProducer, long seed)
            throws InterruptedException {
        final SplittableRandom random = new SplittableRandom(seed);
        try (Executor executor = new Executor()) {
            for (int s = 0; s < SCENARIOS; s++) {
                final List<Op> init = ops(random, 2, true, multiProducer);
                final List<List<Op>> parallel = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    parallel.add(ops(random, 3, multiProducer || t == 0, multiProducer));
                }
                final List<Op> post = ops(random, 2, true, multiProducer);
                for (int i = 0; i < INVOCATIONS; i++) {
                    final HistoryChecker history = executor.run(targets.get(), init, parallel, post);
                    if (!history.linearizable()) {
                        return history.toString();
                    }
                }
            }
        }
        return null;
    }

    /** n random operations (their results not yet known). */
    private static List<Op> ops(SplittableRandom random, int n, boolean completes, boolean completesTwo) {
        final List<Op> ops = new ArrayList<>();
        while (ops.size() < n) {
            final int u = 1 + random.nextInt(3);
            switch (random.nextInt(4)) {
                case 0 -> ops.add(new Op(Kind.SUBMIT, 1 + random.nextInt(2), 0, false, null, null));
                case 1 -> {
                    if (completes) {
                        ops.add(new Op(Kind.COMPLETE, completesTwo ? 1 + random.nextInt(2) : 1, u, false, null, null));
                    }
                }
                default -> ops.add(new Op(random.nextBoolean() ? Kind.POLL : Kind.GET, 1 + random.nextInt(3), 0,
                        false, null, null));
            }
        }
        return ops;
    }

    /** Performs op on target and returns it with its result (and clock). */
    private static Op perform(Target target, Op op, int[] clock, AtomicInteger producing) {
        switch (op.kind()) {
            case SUBMIT -> {
                return new Op(op.kind(), op.arg(), 0, target.trySubmit(op.arg()), null, clock);
            }
            case COMPLETE -> {
                producing.incrementAndGet();
                try {
                    return new Op(op.kind(), op.arg(), op.userData(), target.complete(op.arg(), op.userData()), null,
                            clock);
                } finally {
                    producing.decrementAndGet();
                }
            }
            default -> {
                while (producing.get() != 0) {              // see search(): only multi-producer scenarios race here
                    Thread.onSpinWait();
                }
                return new Op(op.kind(), op.arg(), 0, false, target.take(op.arg(), op.kind() == Kind.POLL), clock);
            }
        }
    }

    /**
     * Runs the parallel part of a scenario on {@link #THREADS} reusable threads that start together, and records each
     * operation's result and clock.
     */
    private static final class Executor implements AutoCloseable {
        private final Thread[] workers = new Thread[THREADS];
        private final AtomicLong round = new AtomicLong();
        private final AtomicInteger finished = new AtomicInteger();
        private final AtomicLongArray returned = new AtomicLongArray(THREADS);
        private volatile boolean closed;
        private volatile Target target;
        private volatile List<List<Op>> ops;
        private final List<List<Op>> results = new ArrayList<>();
        private final AtomicInteger producing = new AtomicInteger();

        Executor() {
            for (int t = 0; t < THREADS; t++) {
                results.add(new ArrayList<>());
                final int thread = t;
                workers[t] = new Thread(() -> work(thread), "history-" + t);
                workers[t].setDaemon(true);
                workers[t].start();
            }
        }

        HistoryChecker run(Target target, List<Op> init, List<List<Op>> parallel, List<Op> post)
                throws InterruptedException {
            final List<Op> initDone = sequential(target, init);
            for (int t = 0; t < THREADS; t++) {
                results.get(t).clear();
                returned.set(t, 0);
            }
            this.target = target;
            this.ops = parallel;
            finished.set(0);
            round.incrementAndGet();                        // go
            while (finished.get() < THREADS) {
                Thread.yield();
            }
            final List<List<Op>> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                threads.add(List.copyOf(results.get(t)));
            }
            return new HistoryChecker(CAPACITY, initDone, threads, sequential(target, post));
        }

        private List<Op> sequential(Target target, List<Op> ops) {
            final List<Op> done = new ArrayList<>();
            for (Op op : ops) {
                done.add(perform(target, op, null, producing));
            }
            return done;
        }

        private void work(int thread) {
            long seen = 0;
            while (!closed) {
                int spins = 0;
                while (round.get() == seen && !closed) {
                    if (++spins < 100) {
                        Thread.onSpinWait();
                    } else {
                        Thread.yield();
                    }
                }
                if (closed) {
                    return;
                }
                seen = round.get();
                final Target target = this.target;
                final List<Op> mine = ops.get(thread);
                final List<Op> out = results.get(thread);
                for (Op op : mine) {
                    final int[] clock = new int[THREADS];
                    for (int j = 0; j < THREADS; j++) {
                        clock[j] = (int) returned.get(j);
                    }
                    out.add(perform(target, op, clock, producing));
                    returned.incrementAndGet(thread);
                }
                finished.incrementAndGet();                 // publishes out to the caller
            }
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            for (Thread w : workers) {
                w.join(10_000);
            }
        }
    }

    /** The real ring. */
    private record RingTarget(CompletionRing ring) implements Target {
        @Override
        public boolean trySubmit(int n) {
            return ring.trySubmit(n);
        }

        @Override
        public boolean complete(int n, long u) {
            try {
                if (n == 1) {
                    ring.complete(u, HistoryChecker.resultOf(u));
                } else {
                    ring.completeAll(new long[] {u, u + 4}, new long[] {HistoryChecker.resultOf(u),
                            HistoryChecker.resultOf(u + 4)}, 0, 2);
                }
                return true;
            } catch (IllegalStateException noReservation) {
                return false;
            }
        }

        @Override
        public long[] take(int nr, boolean poll) {
            final CompletionEvent[] events = CompletionEvent.newArray(nr);
            final int n;
            try {
                n = poll ? ring.pollEvents(nr, events) : ring.getEvents(0, nr, events);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            final long[] pairs = new long[2 * Math.max(0, n)];
            for (int i = 0; i < n; i++) {
                pairs[2 * i] = events[i].userData();
                pairs[2 * i + 1] = events[i].result();
            }
            return pairs;
        }
    }

    /** The control: a ring whose reapers move the head with a plain store. */
    private record RacyTarget(RacyHeadRing ring) implements Target {
        @Override
        public boolean trySubmit(int n) {
            return ring.trySubmit(n);
        }

        @Override
        public boolean complete(int n, long u) {
            return ring.complete(u, HistoryChecker.resultOf(u));
        }

        @Override
        public long[] take(int nr, boolean poll) {
            final List<Long> pairs = ring.poll(nr);
            final long[] out = new long[pairs.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = pairs.get(i);
            }
            return out;
        }
    }
}
