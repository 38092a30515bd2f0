package io.completionring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Helpers shared by the tests: the event encoding, bounded waits for a condition, and message checks. */
final class TestSupport {

    /** How long a test waits for something that must happen promptly before it calls it a hang. */
    static final Duration PROMPTLY = Duration.ofSeconds(10);

    private TestSupport() {
    }

    /**
     * The result that the tests complete together with {@code userData}. A bijection of userData, so a pair whose
     * result is not {@code resultFor(userData)} was torn (its halves come from two different completions).
     */
    static long resultFor(long userData) {
        long z = userData * 0x9E3779B97F4A7C15L;
        z ^= z >>> 29;
        return z ^ 0x5DEECE66DL;
    }

    /** Submits and completes {@code userData} (with its encoded result), failing if no slot is free. */
    static void submitAndComplete(CompletionRing ring, long userData) {
        assertTrue(ring.trySubmit(), "no free slot for " + userData);
        ring.complete(userData, resultFor(userData));
    }

    /** Submits and completes userData {@code from .. from+count-1}. */
    static void submitAndComplete(CompletionRing ring, long from, int count) {
        for (int i = 0; i < count; i++) {
            submitAndComplete(ring, from + i);
        }
    }

    /** Asserts that {@code events[0..n)} hold userData {@code from, from+1, ...} with their encoded results. */
    static void assertEvents(CompletionEvent[] events, int n, long from) {
        for (int i = 0; i < n; i++) {
            assertEquals(from + i, events[i].userData(), "userData of event " + i);
            assertEquals(resultFor(from + i), events[i].result(), "result of event " + i);
        }
    }

    /** Spins (yielding) until {@code condition} holds; fails after {@link #PROMPTLY} with the diagnostic. */
    static void await(BooleanSupplier condition, Supplier<String> diagnostic) {
        long deadline = System.nanoTime() + PROMPTLY.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("gave up after " + PROMPTLY.toSeconds() + " s waiting for: " + diagnostic.get());
            }
            Thread.yield();
        }
    }

    /** Waits until every thread is parked (WAITING or TIMED_WAITING), i.e. blocked inside the ring. */
    static void awaitParked(CompletionRing ring, Thread... threads) {
        for (Thread t : threads) {
            await(() -> isParked(t), () -> t.getName() + " to park; it is " + t.getState() + ", ring " + ring
                    + ", stats " + ring.stats());
        }
    }

    static boolean isParked(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }

    /** Asserts that an argument error's message names the argument and its value. */
    static void assertNames(Throwable e, String argument, Object value) {
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains(argument), "message should name '" + argument + "': " + message);
        assertTrue(message.contains(String.valueOf(value)),
                "message should give the value " + value + " of " + argument + ": " + message);
    }

    /** Asserts that a null-argument error's message names the argument. */
    static void assertNamesNull(Throwable e, String argument) {
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains(argument), "message should name '" + argument + "': " + message);
    }

    /** Spins for a pseudo-random short while (0..maxSpins iterations) without sleeping, to vary interleavings. */
    static void spin(int spins) {
        for (int i = 0; i < spins; i++) {
            Thread.onSpinWait();
        }
    }
}
