package io.completionring.stress.controls;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The asymmetric seed-000 fence with the producer's tail store held back in its store buffer: a measurement, run by
 * hand, not a jcstress test (docs/testing.md, "The asymmetric fence"):
 *
 * <pre>
 *   java -Xmx1g --enable-native-access=ALL-UNNAMED -cp jcstress.jar io.completionring.stress.controls.HeldBackStore [ROUNDS]
 * </pre>
 *
 * In {@link SeedLostWakeupAsymmetric}'s many-rounds scenario a producer's tail store leaves its store buffer long
 * before the reaper's re-read, unless the reaper re-reads at once: the copy without the heavy half hangs, the copy
 * with membarrier does not, but so did a copy whose reaper waited as long as a membarrier call takes instead. Here
 * the window is made as wide as this machine allows: the producer first stores into {@link #STORES} random cache
 * lines of a 512 MB array (each missing the cache and, most likely, the TLB), and x86 makes stores visible in
 * program order, so its tail store waits behind them while its load of the waiter word runs at once. The Dekker core
 * of seed 000 then runs {@code ROUNDS} times (default 1,000,000) for each heavy half of the reaper, the two threads
 * meeting at a rendezvous before each round and the reaper starting a random 0-63 {@code Thread.onSpinWait()} calls
 * after it:
 *
 * <ul>
 *   <li>{@code membarrier}: a full fence, then membarrier (the asymmetric protocol);</li>
 *   <li>{@code delay}: a full fence, then a busy wait as long as the reaper's membarrier calls took in the first run
 *       (their median; a call costs several times more with the producer running on another CPU, which it must
 *       interrupt, than alone): whether the time a membarrier call takes would close the window by itself;</li>
 *   <li>{@code none}: a full fence only ({@link SeedLostWakeupStale}'s protocol: the asymmetric one without its
 *       heavy half).</li>
 * </ul>
 *
 * For each it prints the rounds in which both sides missed each other (the producer saw no waiter, the reaper saw the
 * old tail: a lost wake-up). Exit status 0 if membarrier never missed and none did (so that it could have), 1
 * otherwise, 2 on bad usage or if membarrier cannot be used here.
 */
public final class HeldBackStore {

    /** Stores ahead of the tail store: fewer than a store buffer holds (56 to 64 entries on recent x86 cores). */
    static final int STORES = 48;
    private static final int LONGS = 1 << 26;
    /** The reaper's random start after the rendezvous, in onSpinWait calls: 0 to this bound - 1. */
    private static final int MAX_OFFSET_SPINS = 64;

    private static final VarHandle TAIL;
    private static final VarHandle WAITER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(HeldBackStore.class, "tail", long.class);
            WAITER = lookup.findVarHandle(HeldBackStore.class, "waiter", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Shared by the three runs: one 512 MB array is all a 1 GB heap holds. */
    private static final long[] LINES = new long[LONGS];

    private final int[] burst = new int[STORES];
    /** The reaper's membarrier calls, in nanoseconds each (the first 65,536 of a run that makes them). */
    private final long[] membarrierNanos = new long[1 << 16];
    /** Round numbers: each side stores the round it is in, so nothing needs resetting. */
    private long tail;
    private long waiter;
    /** The rendezvous: the last round each side started and finished. */
    private volatile long producerStarted;
    private volatile long reaperStarted;
    private volatile long producerDone;
    private volatile long reaperDone;
    /** The tail the reaper saw in its last round; written before reaperDone. */
    private volatile long tailSeen;

    private HeldBackStore() {
    }

    public static void main(String[] args) throws InterruptedException {
        final long rounds;
        try {
            rounds = args.length == 0 ? 1_000_000 : Long.parseLong(args[0]);
            if (args.length > 1 || rounds < 1) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            System.err.println("usage: java -Xmx1g --enable-native-access=ALL-UNNAMED -cp JAR "
                    + HeldBackStore.class.getName() + " [ROUNDS]");
            System.exit(2);
            return;
        }
        try {
            Membarrier.require();
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.out.printf(Locale.ROOT, "%,d rounds per heavy half, %d stores ahead of the tail store%n", rounds,
                STORES);
        final HeldBackStore withBarrier = new HeldBackStore();
        final long barrier = withBarrier.run(rounds, -1);
        final long delayNanos = withBarrier.medianMembarrierNanos(rounds);
        System.out.printf(Locale.ROOT, "membarrier  both missed in %,d rounds (median call %,d ns)%n", barrier,
                delayNanos);
        final long delay = new HeldBackStore().run(rounds, delayNanos);
        System.out.printf(Locale.ROOT, "delay       both missed in %,d rounds (%,d ns)%n", delay, delayNanos);
        final long none = new HeldBackStore().run(rounds, Long.MIN_VALUE);
        System.out.printf(Locale.ROOT, "none        both missed in %,d rounds%n", none);
        System.exit(barrier == 0 && none > 0 ? 0 : 1);
    }

    /** The median time of the reaper's membarrier calls in the last run that made them. */
    private long medianMembarrierNanos(long rounds) {
        final long[] times = Arrays.copyOf(membarrierNanos, (int) Math.min(rounds, membarrierNanos.length));
        Arrays.sort(times);
        return times[times.length / 2];
    }

    /**
     * Runs the rounds with the reaper's heavy half: {@code Long.MIN_VALUE} none, a negative value membarrier, else a
     * busy wait of that many nanoseconds. Returns the rounds in which both sides missed each other.
     */
    private long run(long rounds, long heavy) throws InterruptedException {
        final long[] missed = new long[1];
        final Thread producer = new Thread(() -> {
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            for (long i = 1; i <= rounds; i++) {
                for (int k = 0; k < STORES; k++) {
                    burst[k] = random.nextInt(LONGS) & ~7;      // the first long of a random cache line
                }
                producerStarted = i;
                while (reaperStarted < i) {
                    Thread.onSpinWait();
                }
                final long[] lines = LINES;
                for (int index : burst) {
                    lines[index] = i;                           // plain: only its slowness matters
                }
                TAIL.setRelease(this, i);
                VarHandle.releaseFence();                       // the light half: a compiler barrier only
                final long w = (long) WAITER.getAcquire(this);
                producerDone = i;
                while (reaperDone < i) {
                    Thread.onSpinWait();
                }
                if (w < i && tailSeen < i) {
                    missed[0]++;
                }
            }
        }, "producer");
        final Thread reaper = new Thread(() -> {
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            for (long i = 1; i <= rounds; i++) {
                reaperStarted = i;
                while (producerStarted < i) {
                    Thread.onSpinWait();
                }
                for (int spins = random.nextInt(MAX_OFFSET_SPINS); spins > 0; spins--) {
                    Thread.onSpinWait();
                }
                WAITER.setRelease(this, i);
                VarHandle.fullFence();
                if (heavy == Long.MIN_VALUE) {
                    // none: the full fence only
                } else if (heavy < 0) {
                    final long start = System.nanoTime();
                    Membarrier.expedite();
                    membarrierNanos[(int) (i - 1) & (membarrierNanos.length - 1)] = System.nanoTime() - start;
                } else {
                    final long end = System.nanoTime() + heavy;
                    while (System.nanoTime() - end < 0) {
                        Thread.onSpinWait();
                    }
                }
                tailSeen = (long) TAIL.getAcquire(this);
                reaperDone = i;
                while (producerDone < i) {
                    Thread.onSpinWait();
                }
            }
        }, "reaper");
        producer.start();
        reaper.start();
        producer.join();
        reaper.join();
        return missed[0];
    }
}
