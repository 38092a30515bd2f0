package io.completionring.bench;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Wake-up latency as a round trip, sampled per call (JMH SampleTime: read p50, p99 and p99.9): the benchmark thread
 * hands one event to an echo thread that is waiting for it, and waits for the echo's reply through a second
 * structure of the same kind. Each round trip is two hand-offs to a waiting thread.
 *
 * <ul>
 * <li>{@code ring}: the event goes through ring A ({@code trySubmit} + {@code complete}), the echo waits in
 *     {@code getEvents(1, 1, ...)} on A and answers through ring B. {@code waitPolicy=park} builds both rings with
 *     {@code spinBudget(0)}: every wait parks, the like-for-like comparison with the floor; {@code default} keeps the
 *     ring's adaptive spin-then-park.</li>
 * <li>{@code abq}: two {@code ArrayBlockingQueue}s, put/take. {@code synchronousQueue}: two {@code SynchronousQueue}s.</li>
 * <li>{@code lockSupport}: the floor: a volatile write and {@code LockSupport.unpark} one way, the same back; both
 *     threads {@code park} while they wait. No queue can hand off to a parked thread faster.</li>
 * </ul>
 *
 * <p>The echo threads live for the whole trial, so the benchmark thread always gets its reply and cannot hang at the
 * end of an iteration; its waits are still timed (1 s) so that a lost wake-up fails the run instead of hanging it.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
public class WakeupLatency {

    /** A reply later than this is a lost wake-up: the run fails. */
    static final long LOST_MS = 1000;

    static Thread startEcho(String name, Runnable loop) {
        final Thread t = new Thread(loop, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    static IllegalStateException lost(String what) {
        return new IllegalStateException(what + ": no reply within " + LOST_MS + " ms (lost wake-up?)");
    }

    // ---- the ring ------------------------------------------------------------------------------------------------

    @State(Scope.Benchmark)
    public static class RingState {
        @Param("1024")
        int capacity;
        /** {@code park}: spinBudget(0), every wait parks; {@code default}: the ring's own spin-then-park. */
        @Param({"park", "default"})
        String waitPolicy;

        CompletionRing ping;
        CompletionRing pong;
        final CompletionEvent[] reply = CompletionEvent.newArray(1);
        Thread echo;
        long sequence;

        CompletionRing build() {
            final CompletionRing.Builder b = CompletionRing.builder().capacity(capacity);
            if ("park".equals(waitPolicy)) {
                b.spinBudget(0);
            } else if (!"default".equals(waitPolicy)) {
                throw new IllegalArgumentException("waitPolicy must be park or default, was " + waitPolicy);
            }
            return b.build();
        }

        @Setup(Level.Trial)
        public void setUp() {
            ping = build();
            pong = build();
            echo = startEcho("ring-echo", () -> {
                final CompletionEvent[] got = CompletionEvent.newArray(1);
                try {
                    while (ping.getEvents(1, 1, got) == 1) {  // -1 once ping is closed and drained
                        pong.trySubmit();
                        pong.complete(got[0].userData(), got[0].result());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            ping.close();
            echo.join();
            pong.close();
            System.out.printf("%n[WakeupLatency.ring %s] ping %s%n  pong %s%n", waitPolicy, ping.stats(), pong.stats());
        }
    }

    @Benchmark
    public long ring(RingState s) throws InterruptedException {
        final long seq = s.sequence++;
        s.ping.trySubmit();                                 // always succeeds: one event in flight at a time
        s.ping.complete(seq, ~seq);
        if (s.pong.getEvents(1, 1, s.reply, LOST_MS, TimeUnit.MILLISECONDS) != 1) {
            throw lost("ring");
        }
        return s.reply[0].userData() ^ s.reply[0].result();
    }

    // ---- ArrayBlockingQueue and SynchronousQueue pairs ------------------------------------------------------------

    @State(Scope.Benchmark)
    public abstract static class QueuePairState {
        BlockingQueue<Completion> ping;
        BlockingQueue<Completion> pong;
        Thread echo;
        /** One holder, safely reused: there is only ever one event in flight. */
        final Completion event = new Completion(0, 0);

        abstract BlockingQueue<Completion> newQueue();

        @Setup(Level.Trial)
        public void setUp() {
            ping = newQueue();
            pong = newQueue();
            echo = startEcho(getClass().getSimpleName() + "-echo", () -> {
                try {
                    for (;;) {
                        pong.put(ping.take());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();     // the trial is over
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            echo.interrupt();
            echo.join();
        }

        long roundTrip(String what) throws InterruptedException {
            final Completion e = event;
            e.userData++;
            e.result = ~e.userData;
            ping.put(e);
            final Completion r = pong.poll(LOST_MS, TimeUnit.MILLISECONDS);  // take, timed to catch a hang
            if (r == null) {
                throw lost(what);
            }
            return r.userData ^ r.result;
        }
    }

    public static class AbqState extends QueuePairState {
        @Param("1024")
        int capacity;

        @Override
        BlockingQueue<Completion> newQueue() {
            return new ArrayBlockingQueue<>(capacity);
        }
    }

    public static class SynchronousQueueState extends QueuePairState {
        @Override
        BlockingQueue<Completion> newQueue() {
            return new SynchronousQueue<>();
        }
    }

    @Benchmark
    public long abq(AbqState s) throws InterruptedException {
        return s.roundTrip("abq");
    }

    @Benchmark
    public long synchronousQueue(SynchronousQueueState s) throws InterruptedException {
        return s.roundTrip("synchronousQueue");
    }

    // ---- the floor: raw LockSupport park/unpark ping-pong --------------------------------------------------------

    @State(Scope.Benchmark)
    public static class LockSupportState {
        volatile long ping;                                 // written by the benchmark thread: "your turn, round n"
        volatile long pong;                                 // written by the echo thread: "done with round n"
        volatile boolean stop;
        volatile Thread caller;
        Thread echo;

        @Setup(Level.Trial)
        public void setUp() {
            echo = startEcho("lockSupport-echo", () -> {
                long seen = 0;
                while (!stop) {
                    final long p = ping;
                    if (p != seen) {
                        seen = p;
                        pong = p;
                        LockSupport.unpark(caller);
                    } else {
                        LockSupport.park(this);
                    }
                }
            });
        }

        /** The benchmark thread; setup methods run on it. */
        @Setup(Level.Iteration)
        public void captureCaller() {
            caller = Thread.currentThread();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            stop = true;
            LockSupport.unpark(echo);
            echo.join();
        }
    }

    @Benchmark
    public long lockSupport(LockSupportState s) {
        final long round = s.ping + 1;
        s.ping = round;
        LockSupport.unpark(s.echo);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOST_MS);
        while (s.pong != round) {
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw lost("lockSupport");
            }
            LockSupport.parkNanos(s, left);
        }
        return round;
    }
}
