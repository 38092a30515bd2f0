package io.completionring;

import static io.completionring.TestSupport.PROMPTLY;
import static io.completionring.TestSupport.awaitParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import jdk.jfr.Configuration;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.SettingDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JFR events of long waits ({@link WaitEvents}): each test runs a scenario while a {@link Recording} runs, dumps
 * the recording to a file and reads it back with {@link RecordingFile}. Most tests enable both event types with a
 * threshold of 0, so that every wait is recorded and a test need not wait 10 ms; two use the events' own defaults:
 * the JDK's {@code default} configuration in this JVM, and a child JVM started with nothing but {@code
 * -XX:StartFlightRecording}. Threads are sequenced with {@code awaitParked} (a thread parked in the ring); the only
 * waits of a set length are the timeouts the tests are about.
 */
class JfrEventsTest {

    private static final String REAPER_WAIT = "io.completionring.ReaperWait";
    private static final String SUBMITTER_WAIT = "io.completionring.SubmitterWait";

    /** The timeout of the tests of timeouts, and a bound of the time a call runs before its wait starts. */
    private static final Duration TIMEOUT = Duration.ofMillis(20);
    private static final Duration BEFORE_WAIT = Duration.ofMillis(1);

    @TempDir
    Path dir;

    /** A scenario run while the recording runs. */
    interface Scenario {
        void run() throws Exception;
    }

    /** Runs {@code scenario} with both events enabled at threshold 0; returns the library's events it recorded. */
    private List<RecordedEvent> recordEveryWait(Scenario scenario) throws Exception {
        try (Recording recording = new Recording()) {
            recording.enable(REAPER_WAIT).withThreshold(Duration.ZERO);
            recording.enable(SUBMITTER_WAIT).withThreshold(Duration.ZERO);
            return record(recording, scenario);
        }
    }

    private List<RecordedEvent> record(Recording recording, Scenario scenario) throws Exception {
        recording.start();
        scenario.run();
        recording.stop();
        final Path file = dir.resolve("waits.jfr");
        recording.dump(file);
        return libraryEvents(file);
    }

    private static List<RecordedEvent> libraryEvents(Path file) throws Exception {
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("io.completionring."))
                .sorted(Comparator.comparing(RecordedEvent::getStartTime))
                .collect(Collectors.toList());
    }

    /** The one event recorded, which must be of type {@code name}, from thread {@code thread}, without stack trace. */
    private static RecordedEvent only(List<RecordedEvent> recorded, String name, String thread) {
        assertEquals(1, recorded.size(), "events recorded: " + recorded);
        final RecordedEvent e = recorded.get(0);
        assertEquals(name, e.getEventType().getName(), e.toString());
        assertEquals(thread, e.getThread().getJavaName(), e.toString());
        assertNull(e.getStackTrace(), "no stack trace by default: " + e);
        return e;
    }

    private static void assertReaperWait(RecordedEvent e, int minNr, int nr, int taken, int capacity,
                                         String outcome) {
        assertEquals(minNr, e.getInt("minNr"), e.toString());
        assertEquals(nr, e.getInt("nr"), e.toString());
        assertEquals(taken, e.getInt("taken"), e.toString());
        assertEquals(capacity, e.getInt("capacity"), e.toString());
        assertEquals(outcome, e.getString("outcome"), e.toString());
    }

    private static void assertSubmitterWait(RecordedEvent e, int reserved, int capacity, String outcome) {
        assertEquals(1, e.getInt("slots"), e.toString());
        assertEquals(reserved, e.getInt("reserved"), e.toString());
        assertEquals(capacity, e.getInt("capacity"), e.toString());
        assertEquals(outcome, e.getString("outcome"), e.toString());
    }

    /** The event's duration covers {@code atLeast} and lies within the call it timed, {@code atMost}. */
    private static void assertDuration(RecordedEvent e, Duration atLeast, Duration atMost) {
        assertTrue(e.getDuration().compareTo(atLeast) >= 0, "the event should last at least " + atLeast + ": " + e);
        assertTrue(e.getDuration().compareTo(atMost) <= 0, "the event should last at most " + atMost
                + ", the call it timed: " + e);
    }

    /**
     * Nanosecond times taken by the test: when a call started and returned ({@code call}), and a stretch of time that
     * the test saw the call waiting through ({@code waited}, from seeing it parked to the action that ends it).
     */
    private static final class Span {
        volatile long callStart;
        volatile long callEnd;
        volatile long waitedFrom;
        volatile long waitedTo;

        Duration call() {
            return Duration.ofNanos(callEnd - callStart);
        }

        Duration waited() {
            return Duration.ofNanos(waitedTo - waitedFrom);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reapers.

    @Test
    void aReaperWaitEndedByItsEventsIsRecordedWithOutcomeEvents() throws Exception {
        final Span span = new Span();
        final AtomicInteger taken = new AtomicInteger(-2);
        final List<RecordedEvent> recorded = recordEveryWait(() -> {
            final CompletionRing ring = CompletionRing.builder().capacity(8).spinBudget(0).build();
            assertTrue(ring.trySubmit(2));
            final CompletionEvent[] events = CompletionEvent.newArray(4);
            try (Workers workers = new Workers()) {
                final Thread reaper = workers.start("reaper", () -> {
                    span.callStart = System.nanoTime();
                    taken.set(ring.getEvents(2, 4, events));
                    span.callEnd = System.nanoTime();
                });
                awaitParked(ring, reaper);
                span.waitedFrom = System.nanoTime();
                ring.complete(0, 0);
                span.waitedTo = System.nanoTime();
                ring.complete(1, 1);
                workers.join(PROMPTLY, ring::toString);
            }
        });
        assertEquals(2, taken.get());
        final RecordedEvent e = only(recorded, REAPER_WAIT, "reaper");
        assertReaperWait(e, 2, 4, 2, 8, "EVENTS");
        assertDuration(e, span.waited(), span.call());
    }

    @Test
    void aReaperWaitEndedByItsTimeoutIsRecordedWithOutcomeTimeout() throws Exception {
        final Span span = new Span();
        final List<RecordedEvent> recorded = recordEveryWait(() -> {
            final CompletionRing ring = CompletionRing.create(8);
            span.callStart = System.nanoTime();
            assertEquals(0, ring.getEvents(1, 4, CompletionEvent.newArray(4), TIMEOUT));
            span.callEnd = System.nanoTime();
        });
        final RecordedEvent e = only(recorded, REAPER_WAIT, Thread.currentThread().getName());
        assertReaperWait(e, 1, 4, 0, 8, "TIMEOUT");
        // The call fixes its deadline, takes what is ready, then starts to wait: a few microseconds of the timeout
        // pass before the event begins.
        assertDuration(e, TIMEOUT.minus(BEFORE_WAIT), span.call());
    }

    @Test
    void aReaperWaitEndedByAnInterruptIsRecordedWithOutcomeInterrupt() throws Exception {
        final Span span = new Span();
        final List<RecordedEvent> recorded = recordEveryWait(() -> {
            final CompletionRing ring = CompletionRing.builder().capacity(8).spinBudget(0).build();
            final CompletionEvent[] events = CompletionEvent.newArray(1);
            try (Workers workers = new Workers()) {
                final Thread reaper = workers.start("reaper", () -> {
                    span.callStart = System.nanoTime();
                    assertThrows(InterruptedException.class, () -> ring.getEvents(1, 1, events));
                    span.callEnd = System.nanoTime();
                });
                awaitParked(ring, reaper);
                span.waitedFrom = System.nanoTime();
                span.waitedTo = span.waitedFrom;
                reaper.interrupt();
                workers.join(PROMPTLY, ring::toString);
            }
        });
        final RecordedEvent e = only(recorded, REAPER_WAIT, "reaper");
        assertReaperWait(e, 1, 1, 0, 8, "INTERRUPT");
        assertDuration(e, span.waited(), span.call());
    }

    @Test
    void aReaperWaitEndedByCloseIsRecordedWithOutcomeCloseAndCountsTheEventsTakenBeforeIt() throws Exception {
        // One event ready and one in flight; the reaper needs three. It takes the first, waits, and is still waiting
        // after close() (one event can still arrive); once that one is completed nothing is in flight, and it returns
        // the two it has.
        final Span span = new Span();
        final AtomicInteger taken = new AtomicInteger(-2);
        final List<RecordedEvent> recorded = recordEveryWait(() -> {
            final CompletionRing ring = CompletionRing.builder().capacity(8).spinBudget(0).build();
            assertTrue(ring.trySubmit(2));
            ring.complete(0, 0);
            final CompletionEvent[] events = CompletionEvent.newArray(4);
            try (Workers workers = new Workers()) {
                final Thread reaper = workers.start("reaper", () -> {
                    span.callStart = System.nanoTime();
                    taken.set(ring.getEvents(3, 4, events));
                    span.callEnd = System.nanoTime();
                });
                awaitParked(ring, reaper);
                span.waitedFrom = System.nanoTime();
                ring.close();
                span.waitedTo = System.nanoTime();
                ring.complete(1, 1);
                workers.join(PROMPTLY, ring::toString);
            }
        });
        assertEquals(2, taken.get());
        final RecordedEvent e = only(recorded, REAPER_WAIT, "reaper");
        assertReaperWait(e, 3, 4, 2, 8, "CLOSE");
        assertDuration(e, span.waited(), span.call());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Submitters: a full ring of capacity 2.

    private static CompletionRing fullRing() {
        final CompletionRing ring = CompletionRing.builder().capacity(2).spinBudget(0).build();
        assertTrue(ring.trySubmit(2));
        return ring;
    }

    @Test
    void aSubmitterWaitEndedByAFreedSlotIsRecordedWithOutcomeSlots() throws Exception {
        final Span span = new Span();
        final List<RecordedEvent> recorded = recordEveryWait(() -> {
            final CompletionRing ring = fullRing();
            try (Workers workers = new Workers()) {
                final Thread submitter = workers.start("submitter", () -> {
                    span.callStart = System.nanoTime();
                    ring.submit();
                    span.callEnd = System.nanoTime();
                });
                awaitParked(ring, submitter);
                span.waitedFrom = System.nanoTime();
                ring.complete(0, 0);
                span.waitedTo = System.nanoTime();
                assertEquals(1, ring.pollEvents(1, CompletionEvent.newArray(1)));
                workers.join(PROMPTLY, ring::toString);
            }
        });
        final RecordedEvent e = only(recorded, SUBMITTER_WAIT, "submitter");
        assertSubmitterWait(e, 1, 2, "SLOTS");
        assertDuration(e, span.waited(), span.call());
    }

    @Test
    void aSubmitterWaitEndedByItsTimeoutIsRecordedWithOutcomeTimeout() throws Exception {
        final Span span = new Span();
        final List<RecordedEvent> recorded = recordEveryWait(() -> {
            final CompletionRing ring = fullRing();
            span.callStart = System.nanoTime();
            assertFalse(ring.submit(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            span.callEnd = System.nanoTime();
        });
        final RecordedEvent e = only(recorded, SUBMITTER_WAIT, Thread.currentThread().getName());
        assertSubmitterWait(e, 0, 2, "TIMEOUT");
        assertDuration(e, TIMEOUT.minus(BEFORE_WAIT), span.call());
    }

    @Test
    void aSubmitterWaitEndedByAnInterruptIsRecordedWithOutcomeInterrupt() throws Exception {
        final Span span = new Span();
        final List<RecordedEvent> recorded = recordEveryWait(() -> {
            final CompletionRing ring = fullRing();
            try (Workers workers = new Workers()) {
                final Thread submitter = workers.start("submitter", () -> {
                    span.callStart = System.nanoTime();
                    assertThrows(InterruptedException.class, ring::submit);
                    span.callEnd = System.nanoTime();
                });
                awaitParked(ring, submitter);
                span.waitedFrom = System.nanoTime();
                span.waitedTo = span.waitedFrom;
                submitter.interrupt();
                workers.join(PROMPTLY, ring::toString);
            }
        });
        final RecordedEvent e = only(recorded, SUBMITTER_WAIT, "submitter");
        assertSubmitterWait(e, 0, 2, "INTERRUPT");
        assertDuration(e, span.waited(), span.call());
    }

    @Test
    void aSubmitterWaitEndedByCloseIsRecordedWithOutcomeClose() throws Exception {
        final Span span = new Span();
        final List<RecordedEvent> recorded = recordEveryWait(() -> {
            final CompletionRing ring = fullRing();
            try (Workers workers = new Workers()) {
                final Thread submitter = workers.start("submitter", () -> {
                    span.callStart = System.nanoTime();
                    assertThrows(RingClosedException.class, ring::submit);
                    span.callEnd = System.nanoTime();
                });
                awaitParked(ring, submitter);
                span.waitedFrom = System.nanoTime();
                span.waitedTo = span.waitedFrom;
                ring.close();
                workers.join(PROMPTLY, ring::toString);
            }
        });
        final RecordedEvent e = only(recorded, SUBMITTER_WAIT, "submitter");
        assertSubmitterWait(e, 0, 2, "CLOSE");
        assertDuration(e, span.waited(), span.call());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // What is not recorded, and the defaults.

    @Test
    void callsThatDoNotWaitRecordNothing() throws Exception {
        final List<RecordedEvent> recorded = recordEveryWait(() -> {
            final CompletionRing ring = CompletionRing.create(4);
            final CompletionEvent[] events = CompletionEvent.newArray(4);
            ring.submit();
            assertTrue(ring.submit(1, TimeUnit.SECONDS));
            ring.complete(0, 0);
            ring.complete(1, 1);
            assertEquals(1, ring.getEvents(1, 1, events));
            assertEquals(1, ring.getEvents(1, 4, events, 1, TimeUnit.SECONDS));
            assertEquals(0, ring.getEvents(0, 4, events));
            assertEquals(0, ring.getEvents(1, 4, events, 0, TimeUnit.SECONDS));
            assertEquals(0, ring.pollEvents(4, events));
        });
        assertEquals(List.of(), recorded);
    }

    @Test
    void theEventTypesAreEnabledWithATenMillisecondThresholdAndNoStackTraceByDefault() throws Exception {
        recordEveryWait(() -> CompletionRing.create(1));         // registers the types (the ring's creation does)
        final Map<String, EventType> types = FlightRecorder.getFlightRecorder().getEventTypes().stream()
                .filter(t -> t.getName().startsWith("io.completionring."))
                .collect(Collectors.toMap(EventType::getName, Function.identity()));
        assertEquals(List.of(REAPER_WAIT, SUBMITTER_WAIT), types.keySet().stream().sorted().toList());
        for (EventType t : types.values()) {
            final Map<String, String> defaults = t.getSettingDescriptors().stream()
                    .collect(Collectors.toMap(SettingDescriptor::getName, SettingDescriptor::getDefaultValue));
            assertEquals("true", defaults.get("enabled"), t.getName());
            assertEquals("10 ms", defaults.get("threshold"), t.getName());
            assertEquals("false", defaults.get("stackTrace"), t.getName());
            assertEquals(List.of("Completion Ring"), t.getCategoryNames(), t.getName());
            assertNotNull(t.getLabel(), t.getName());
            assertNotNull(t.getDescription(), t.getName());
        }
    }

    @Test
    void theDefaultConfigurationRecordsAThirtyMillisecondWaitAndNoWaitUnderTenMilliseconds() throws Exception {
        // minNr tells the calls apart: five waits of 1 ms (minNr 1) and one of 30 ms (minNr 2).
        final long[] shortCalls = new long[5];
        final List<RecordedEvent> recorded;
        try (Recording recording = new Recording(Configuration.getConfiguration("default"))) {
            recorded = record(recording, () -> {
                final CompletionRing ring = CompletionRing.create(8);
                final CompletionEvent[] events = CompletionEvent.newArray(4);
                for (int i = 0; i < shortCalls.length; i++) {
                    final long start = System.nanoTime();
                    assertEquals(0, ring.getEvents(1, 4, events, 1, TimeUnit.MILLISECONDS));
                    shortCalls[i] = System.nanoTime() - start;
                }
                assertEquals(0, ring.getEvents(2, 4, events, 30, TimeUnit.MILLISECONDS));
            });
        }
        final Duration threshold = Duration.ofMillis(10);
        for (RecordedEvent e : recorded) {
            assertTrue(e.getDuration().compareTo(threshold) >= 0, "recorded under the 10 ms threshold: " + e);
        }
        assertEquals(1, recorded.stream().filter(e -> e.getInt("minNr") == 2).count(), "the 30 ms wait: " + recorded);
        // A 1 ms wait may be recorded only if the machine held its call up for 10 ms: its event lasts no longer than
        // its call (and may last a little less, so a call of just over 10 ms need not be recorded either).
        final long shortCallsOverThreshold = Arrays.stream(shortCalls).filter(n -> n >= threshold.toNanos()).count();
        final long shortWaitsRecorded = recorded.stream().filter(e -> e.getInt("minNr") == 1).count();
        assertTrue(shortWaitsRecorded <= shortCallsOverThreshold, shortWaitsRecorded + " of the 1 ms waits recorded, "
                + shortCallsOverThreshold + " of their calls took 10 ms or more: " + recorded);
    }

    @Test
    void aPlainStartFlightRecordingRecordsTheLongWaitsOfAModularProgram() throws Exception {
        // No settings but a file to write at exit: the default configuration, and the events' own defaults. The
        // library runs as a named module (jdk.jfr is added to the boot layer by the flag; the module reads it).
        final Path file = dir.resolve("flag.jfr");
        final Path runDir = Files.createDirectory(dir.resolve("run"));
        final ChildJvm.Result child = ChildJvm.run(runDir, ChildJvm.java(), List.of(
                "-XX:StartFlightRecording:filename=" + file,
                "--module-path", ChildJvm.location(CompletionRing.class),
                "--patch-module", "io.completionring=" + ChildJvm.location(LongWaits.class),
                "--module", "io.completionring/" + LongWaits.class.getName()));
        assertEquals(0, child.exit(), child.toString());
        assertEquals("events=1 timeout=0 reserved=false", child.stdout().lines()
                .filter(l -> l.startsWith("events=")).findFirst().orElse(""), child.toString());
        final List<RecordedEvent> recorded = libraryEvents(file);
        assertEquals(3, recorded.size(), "events recorded: " + recorded);
        assertReaperWait(recorded.get(0), 1, 4, 1, 4, "EVENTS");
        assertReaperWait(recorded.get(1), 2, 4, 0, 4, "TIMEOUT");
        assertSubmitterWait(recorded.get(2), 0, 4, "TIMEOUT");
        for (RecordedEvent e : recorded) {
            assertEquals("main", e.getThread().getJavaName(), e.toString());
            assertTrue(e.getDuration().compareTo(Duration.ofMillis(10)) >= 0, e.toString());
        }
    }

    /**
     * A program with three long waits, on its main thread: a reaper waits for a request that an I/O thread completes
     * after 40 ms, a reaper gives up after 30 ms, and a submitter finds the ring full for 25 ms. Run by {@link
     * #aPlainStartFlightRecordingRecordsTheLongWaitsOfAModularProgram}; docs/design.md shows its recording.
     */
    static final class LongWaits {
        public static void main(String[] args) throws InterruptedException {
            final CompletionRing ring = CompletionRing.create(4);
            final CompletionEvent[] events = CompletionEvent.newArray(4);
            ring.submit();
            final Thread io = new Thread(() -> {
                try {
                    Thread.sleep(40);                       // the request's service time
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                ring.complete(7, 4096);
            }, "io");
            io.start();
            final int taken = ring.getEvents(1, 4, events);
            io.join();
            final int timedOut = ring.getEvents(2, 4, events, 30, TimeUnit.MILLISECONDS);
            ring.trySubmit(4);
            final boolean reserved = ring.submit(25, TimeUnit.MILLISECONDS);
            System.out.println("events=" + taken + " timeout=" + timedOut + " reserved=" + reserved);
        }
    }
}
