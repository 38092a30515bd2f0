package io.completionring;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Daemon worker threads for a concurrency test. The first exception (or assertion error) thrown by a worker fails the
 * test in {@link #join}; a worker still running at the deadline fails it as a hang, with every live worker's stack and
 * a diagnostic from the test (usually the ring's stats). {@link #close} interrupts whatever is left, so a failed test
 * does not leave threads parked in the ring forever.
 */
final class Workers implements AutoCloseable {

    /** A worker's body. */
    interface Body {
        void run() throws Exception;
    }

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** Starts a platform daemon thread running {@code body}. */
    Thread start(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        return t;
    }

    /** Wraps {@code body} so that a failure is recorded; for tasks run by an executor. */
    Runnable task(Body body) {
        return () -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        };
    }

    /** Rethrows the first worker failure, if any, as an AssertionError with it as the cause. */
    void checkFailure() {
        Throwable e = failure.get();
        if (e != null) {
            throw new AssertionError("a worker failed: " + e, e);
        }
    }

    boolean failed() {
        return failure.get() != null;
    }

    /** Waits up to {@code timeout} for every worker to finish; rethrows a worker failure; true if all finished. */
    boolean awaitDone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            while (t.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || failed()) {
                    checkFailure();
                    return false;
                }
                t.join(Math.max(1, Math.min(left / 1_000_000, 100)));
            }
        }
        checkFailure();
        return true;
    }

    /** Waits for every worker to finish; fails on a worker's failure or, at the deadline, as a hang. */
    void join(Duration timeout, Supplier<String> diagnostic) throws InterruptedException {
        if (awaitDone(timeout)) {
            return;
        }
        List<Thread> alive = threads.stream().filter(Thread::isAlive).collect(Collectors.toList());
        StringBuilder sb = new StringBuilder("hang: ").append(alive.size()).append(" worker(s) still running after ")
                .append(timeout.toMillis()).append(" ms; ").append(diagnostic.get());
        sb.append(stacks());
        fail(sb.toString());
    }

    /** The names, states and top frames of the workers still running. */
    String stacks() {
        StringBuilder sb = new StringBuilder();
        for (Thread t : threads) {
            if (t.isAlive()) {
                sb.append("\n  ").append(t.getName()).append(" ").append(t.getState());
                Arrays.stream(t.getStackTrace()).limit(12).forEach(f -> sb.append("\n      at ").append(f));
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (Thread t : threads) {
            t.interrupt();
        }
    }
}
