package io.completionring.bench;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A diagnostic, not a benchmark: the one-way wake-up of a reaper that has parked, for the ring, an
 * ArrayBlockingQueue and a bare {@code LockSupport.unpark}. The completing thread sleeps {@code gapNanos} (so the
 * reaper has parked), stamps {@code System.nanoTime()} into the event, publishes it and then either spins until the
 * reaper acknowledges (a busy completion thread) or yields while it waits ({@code -Dyield=true}). Run it under
 * {@code perf sched record} to see where the woken thread was scheduled and how long it waited for a CPU.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.completionring.bench.WakeProbe ROUNDS GAP_NANOS SPIN_BUDGET [ring,abq,raw]
 * </pre>
 */
public final class WakeProbe {

    private static final boolean YIELD = Boolean.getBoolean("yield");
    private static volatile long acked;

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 3) {
            System.err.println("usage: WakeProbe ROUNDS GAP_NANOS SPIN_BUDGET(-1 = default) [ring,abq,raw]");
            System.exit(2);
        }
        final int rounds = Integer.parseInt(args[0]);
        final long gap = Long.parseLong(args[1]);
        final int spinBudget = Integer.parseInt(args[2]);
        for (String kind : (args.length > 3 ? args[3] : "ring,abq,raw").split(",")) {
            run(kind, rounds, gap, spinBudget);
        }
    }

    private static void run(String kind, int rounds, long gap, int spinBudget) throws InterruptedException {
        final long[] call = new long[rounds];
        final long[] wake = new long[rounds];
        acked = -1;
        final CompletionRing.Builder b = CompletionRing.builder().capacity(1024);
        if (spinBudget >= 0) {
            b.spinBudget(spinBudget);
        }
        final CompletionRing ring = b.build();
        final ArrayBlockingQueue<Completion> queue = new ArrayBlockingQueue<>(1024);
        final long[] stamp = new long[1];
        final Thread reaper = new Thread(() -> {
            final CompletionEvent[] got = CompletionEvent.newArray(1);
            try {
                for (int r = 0; r < rounds; r++) {
                    final long t0;
                    switch (kind) {
                        case "ring" -> {
                            ring.getEvents(1, 1, got);
                            t0 = got[0].result();
                        }
                        case "abq" -> t0 = queue.take().result;
                        default -> {
                            while (acked != -(r + 2)) {             // the producer's "round r is there"
                                LockSupport.park();
                            }
                            t0 = stamp[0];
                        }
                    }
                    wake[r] = System.nanoTime() - t0;
                    acked = r;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "reaper-" + kind);
        reaper.start();
        for (int r = 0; r < rounds; r++) {
            LockSupport.parkNanos(gap);
            final long t0 = System.nanoTime();
            switch (kind) {
                case "ring" -> {
                    ring.trySubmit();
                    ring.complete(r, t0);
                }
                case "abq" -> queue.offer(new Completion(r, t0));
                default -> {
                    stamp[0] = t0;
                    acked = -(r + 2);                           // volatile: publishes the stamp
                    LockSupport.unpark(reaper);
                }
            }
            call[r] = System.nanoTime() - t0;
            while (acked != r) {
                if (YIELD) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
            }
        }
        reaper.join();
        Arrays.sort(call);
        Arrays.sort(wake);
        System.out.printf(Locale.ROOT, "%-4s gap %7d ns, waker %s: publish p50 %6.1f us | wake p50 %6.1f p90 %7.1f"
                        + " p99 %7.1f us%s%n", kind, gap, YIELD ? "yields" : "spins", call[rounds / 2] / 1e3,
                wake[rounds / 2] / 1e3, wake[rounds * 9 / 10] / 1e3, wake[rounds * 99 / 100] / 1e3,
                kind.equals("ring") ? " | " + ring.stats() : "");
    }
}
