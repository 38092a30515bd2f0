package io.completionring;

import static io.completionring.TestSupport.assertEvents;
import static io.completionring.TestSupport.assertNames;
import static io.completionring.TestSupport.assertNamesNull;
import static io.completionring.TestSupport.resultFor;
import static io.completionring.TestSupport.submitAndComplete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rule 9: bad input gets an exception whose message names the argument and its value, and changes nothing. Every test
 * starts from a ring with two events ready (userData 0 and 1) and one request in flight, so a call that took or
 * published anything before validating its arguments shows up in {@link #assertNothingChanged()}.
 */
class BadInputTest {

    private CompletionRing ring;

    @BeforeEach
    void ringWithTwoReadyAndOneInFlight() {
        ring = CompletionRing.create(8);
        submitAndComplete(ring, 0, 2);
        assertTrue(ring.trySubmit());
    }

    private void assertNothingChanged() {
        RingStats stats = ring.stats();
        assertEquals(3, stats.submitted(), "submitted");
        assertEquals(2, stats.completed(), "completed");
        assertEquals(0, stats.reaped(), "reaped");
        assertEquals(2, ring.ready(), "ready");
        assertEquals(1, ring.inFlight(), "in flight");
        assertEquals(5, ring.remainingCapacity(), "remaining capacity");
        CompletionEvent[] events = CompletionEvent.newArray(8);
        assertEquals(2, ring.pollEvents(8, events), "the ready events are still reapable");
        assertEvents(events, 2, 0);
    }

    // ---- capacity

    @ParameterizedTest(name = "create({0})")
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE, (1 << 30) + 1, Integer.MAX_VALUE})
    void createRejectsACapacityOutOfRange(int capacity) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CompletionRing.create(capacity));
        assertNames(e, "capacity", capacity);
    }

    @ParameterizedTest(name = "builder().capacity({0})")
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE, (1 << 30) + 1, Integer.MAX_VALUE})
    void builderRejectsACapacityOutOfRange(int capacity) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CompletionRing.builder().capacity(capacity).build());
        assertNames(e, "capacity", capacity);
    }

    @ParameterizedTest(name = "builder().spinBudget({0})")
    @ValueSource(ints = {-1, Integer.MIN_VALUE})
    void builderRejectsANegativeSpinBudget(int spinBudget) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CompletionRing.builder().capacity(4).spinBudget(spinBudget).build());
        assertNames(e, "spinBudget", spinBudget);
    }

    // ---- submission

    @ParameterizedTest(name = "trySubmit({0})")
    @ValueSource(ints = {0, -1, 9, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void trySubmitNRejectsACountOutOfRangeAndChangesNothing(int n) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ring.trySubmit(n));
        assertNames(e, "n", n);
        assertNothingChanged();
    }

    @Test
    void timedSubmitRejectsANullUnitAndChangesNothing() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> ring.submit(1, null));
        assertNamesNull(e, "unit");
        assertNothingChanged();
    }

    // ---- completion

    @Test
    void completeAllRejectsNullUserDataAndChangesNothing() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> ring.completeAll(null, new long[] {resultFor(2)}, 0, 1));
        assertNamesNull(e, "userData");
        assertNothingChanged();
    }

    @Test
    void completeAllRejectsNullResultsAndChangesNothing() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> ring.completeAll(new long[] {2}, null, 0, 1));
        assertNamesNull(e, "results");
        assertNothingChanged();
    }

    @Test
    void completeAllRejectsANegativeOffsetAndChangesNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ring.completeAll(new long[] {2}, new long[] {resultFor(2)}, -1, 1));
        assertNames(e, "offset", -1);
        assertNothingChanged();
    }

    @Test
    void completeAllRejectsANegativeCountAndChangesNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ring.completeAll(new long[] {2}, new long[] {resultFor(2)}, 0, -1));
        assertNames(e, "count", -1);
        assertNothingChanged();
    }

    @Test
    void completeAllRejectsACountPastTheEndOfUserDataAndChangesNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ring.completeAll(new long[] {2}, new long[] {resultFor(2), 0}, 0, 2));
        assertNames(e, "count", 2);
        assertNothingChanged();
    }

    @Test
    void completeAllRejectsACountPastTheEndOfResultsAndChangesNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ring.completeAll(new long[] {2, 3}, new long[] {resultFor(2)}, 0, 2));
        assertNames(e, "count", 2);
        assertNothingChanged();
    }

    @Test
    void completeAllRejectsAnOffsetPastTheEndAndChangesNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ring.completeAll(new long[] {2}, new long[] {resultFor(2)}, 2, 1));
        assertNames(e, "offset", 2);
        assertNothingChanged();
    }

    @Test
    void completeAllRejectsAnOffsetPlusCountThatOverflowsAndChangesNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ring.completeAll(new long[] {2}, new long[] {resultFor(2)}, 1, Integer.MAX_VALUE));
        assertNames(e, "count", Integer.MAX_VALUE);
        assertNothingChanged();
    }

    @Test
    void completeAllOfMoreThanTheReservationsChangesNothing() {
        assertThrows(IllegalStateException.class,
                () -> ring.completeAll(new long[] {2, 3}, new long[] {resultFor(2), resultFor(3)}, 0, 2));
        assertNothingChanged();
    }

    @Test
    void completeBeyondTheReservationsChangesNothing() {
        ring.complete(2, resultFor(2));
        assertThrows(IllegalStateException.class, () -> ring.complete(3, resultFor(3)));
        assertEquals(3, ring.ready());
        assertEquals(0, ring.inFlight());
        assertEquals(3, ring.stats().completed());
    }

    // ---- reaping: getEvents (all three overloads) and pollEvents

    interface Reap {
        int call(int minNr, int nr, CompletionEvent[] events) throws Exception;
    }

    private void assertGetEventsRejects(Class<? extends Exception> type, String argument, Object value, int minNr,
                                        int nr, CompletionEvent[] events) {
        Reap[] overloads = {
                (m, n, e) -> ring.getEvents(m, n, e),
                (m, n, e) -> ring.getEvents(m, n, e, 1, TimeUnit.SECONDS),
                (m, n, e) -> ring.getEvents(m, n, e, Duration.ofSeconds(1)),
        };
        for (Reap overload : overloads) {
            Exception e = assertThrows(type, () -> overload.call(minNr, nr, events));
            if (value == null) {
                assertNamesNull(e, argument);
            } else {
                assertNames(e, argument, value);
            }
        }
        assertNothingChanged();
    }

    @Test
    void getEventsRejectsNullEventsAndChangesNothing() {
        assertGetEventsRejects(NullPointerException.class, "events", null, 1, 1, null);
    }

    @ParameterizedTest(name = "getEvents(minNr = {0}, nr = 4)")
    @ValueSource(ints = {-1, Integer.MIN_VALUE})
    void getEventsRejectsANegativeMinNrAndChangesNothing(int minNr) {
        assertGetEventsRejects(IllegalArgumentException.class, "minNr", minNr, minNr, 4, CompletionEvent.newArray(4));
    }

    @ParameterizedTest(name = "getEvents(minNr = 0, nr = {0})")
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void getEventsRejectsANonPositiveNrAndChangesNothing(int nr) {
        assertGetEventsRejects(IllegalArgumentException.class, "nr", nr, 0, nr, CompletionEvent.newArray(4));
    }

    @Test
    void getEventsRejectsMinNrGreaterThanNrAndChangesNothing() {
        assertGetEventsRejects(IllegalArgumentException.class, "minNr", 3, 3, 2, CompletionEvent.newArray(4));
    }

    @Test
    void getEventsRejectsNrGreaterThanTheEventsArrayAndChangesNothing() {
        assertGetEventsRejects(IllegalArgumentException.class, "nr", 5, 1, 5, CompletionEvent.newArray(4));
    }

    @Test
    void getEventsRejectsANullUnitAndChangesNothing() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> ring.getEvents(1, 4, CompletionEvent.newArray(4), 1, null));
        assertNamesNull(e, "unit");
        assertNothingChanged();
    }

    @Test
    void getEventsRejectsANullDurationAndChangesNothing() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> ring.getEvents(1, 4, CompletionEvent.newArray(4), (Duration) null));
        assertNamesNull(e, "timeout");
        assertNothingChanged();
    }

    @Test
    void getEventsRejectsBadInputEvenWhenTheThreadIsInterrupted() {
        Thread.currentThread().interrupt();
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ring.getEvents(2, 1, CompletionEvent.newArray(4)));
            assertNames(e, "minNr", 2);
        } finally {
            Thread.interrupted();
        }
        assertNothingChanged();
    }

    @Test
    void pollEventsRejectsNullEventsAndChangesNothing() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> ring.pollEvents(1, null));
        assertNamesNull(e, "events");
        assertNothingChanged();
    }

    @ParameterizedTest(name = "pollEvents(nr = {0})")
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void pollEventsRejectsANonPositiveNrAndChangesNothing(int nr) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ring.pollEvents(nr, CompletionEvent.newArray(4)));
        assertNames(e, "nr", nr);
        assertNothingChanged();
    }

    @Test
    void pollEventsRejectsNrGreaterThanTheEventsArrayAndChangesNothing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ring.pollEvents(5, CompletionEvent.newArray(4)));
        assertNames(e, "nr", 5);
        assertNothingChanged();
    }

    // ---- the event holder

    @Test
    void newArrayRejectsANegativeLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompletionEvent.newArray(-1));
        assertNames(e, "n", -1);
    }

    @Test
    void newArrayMakesFreshHolders() {
        CompletionEvent[] events = CompletionEvent.newArray(3);
        assertEquals(3, events.length);
        for (CompletionEvent e : events) {
            assertEquals(0, e.userData());
            assertEquals(0, e.result());
        }
    }
}
