package io.completionring;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * JDK Flight Recorder events for long waits: {@code io.completionring.ReaperWait}, one per {@code getEvents} call that
 * waited, and {@code io.completionring.SubmitterWait}, one per {@code submit} call that waited, each recorded if the
 * wait lasted 10 ms or more (the default threshold; a recording's settings may change it). The ring calls {@code
 * ringCreated} from its constructor, {@code begin...} when a call starts to wait and {@code end...} when it returns
 * or throws; nothing else of the ring knows about JFR, and no fast path calls any of them.
 *
 * <p>The library does not need the {@code jdk.jfr} module ({@code requires static}): where it is absent (a jlinked
 * runtime without it) or not read by the library's module, every method here is a no-op.
 */
final class WaitEvents {

    /*
     * Implementation overview.
     *
     * Its nested classes are loaded only when needed, so that each state costs only what it needs:
     *
     *   WaitEvents      no jdk.jfr type in its code: loads with the first ring whatever the runtime. PRESENT says
     *                   whether jdk.jfr can be used; when false (a static final the JIT folds), every method returns
     *                   at once and Jfr is never loaded, so nothing links against the missing module.
     *   Jfr             the calls into jdk.jfr; loaded with the first ring when PRESENT. Until Flight Recorder is
     *                   initialized (a recording was created: -XX:StartFlightRecording, jcmd JFR.start, the API),
     *                   begin... reads one volatile boolean, FlightRecorder.isInitialized(), and returns null.
     *   Types           the two EventTypes, looked up by its class initializer, which registers the event classes
     *                   with JFR (a type is null if JFR refuses, as under a security manager on JDK 17 to 23): once,
     *                   under the JVM's class initialization lock, when a ring is created while Flight Recorder is
     *                   initialized (so with -XX:StartFlightRecording, the first ring), else on the first wait after
     *                   it was. From then on begin... also reads EventType.isEnabled(), a plain boolean field of
     *                   JFR's, true while a running recording enables the event.
     *   ReaperWait, SubmitterWait   the events, loaded by Types.
     *
     * Why the types are not looked up as soon as jdk.jfr is there: loading any jdk.jfr.Event subclass, or looking up
     * its EventType, initializes JFR's metadata, 200-280 ms of one core here (JDK 17 and 25) in a JVM that never
     * records. Once Flight Recorder is initialized, the lookup still costs about 40-55 ms on JDK 17 and 5-15 ms on
     * JDK 25 (docs/design.md): a ring's creation pays it if it can, since a wait that paid it would return that much
     * later, and its event would not show the time.
     *
     * No allocation unless a recording wants the event: begin... allocates the event only after EventType.isEnabled()
     * said yes (one per wait: an event instance is not meant to be shared between threads), and returns null
     * otherwise; end... does nothing with null. AllocationTest measures the park path at 0 bytes before and after
     * Flight Recorder is initialized.
     *
     * Timing is JFR's own: begin() at the start of the wait, end() when the call leaves; shouldCommit() compares the
     * duration with the threshold of the running recordings before any field is written.
     */

    /** How a wait ended, as the ring tells it: the need was met (events, or a slot), or a timeout, interrupt, close. */
    static final int OUTCOME_MET = 0;
    static final int OUTCOME_TIMEOUT = 1;
    static final int OUTCOME_INTERRUPT = 2;
    static final int OUTCOME_CLOSE = 3;

    /** True if jdk.jfr is in the runtime and read by this library's module; false makes every method a no-op. */
    static final boolean PRESENT = jfrReadable();

    private WaitEvents() {
    }

    private static boolean jfrReadable() {
        final Module self = WaitEvents.class.getModule();
        return ModuleLayer.boot().findModule("jdk.jfr").map(self::canRead).orElse(false);
    }

    /** A ring was created: if Flight Recorder is initialized, registers the event types now rather than in a wait. */
    static void ringCreated() {
        if (PRESENT) {
            Jfr.ringCreated();
        }
    }

    /** Starts the timing of a reaper's wait: the event to pass to {@link #endReaperWait}, or null if none is wanted. */
    static Object beginReaperWait() {
        return PRESENT ? Jfr.beginReaperWait() : null;
    }

    /**
     * Ends a reaper's wait, and records it if {@code event} is not null and the wait lasted at least the threshold.
     *
     * @param taken   the events the call returns (0 if it throws or returns -1)
     * @param outcome {@link #OUTCOME_MET}, {@link #OUTCOME_TIMEOUT}, {@link #OUTCOME_INTERRUPT} or {@link #OUTCOME_CLOSE}
     */
    static void endReaperWait(Object event, int minNr, int nr, int taken, int capacity, int outcome) {
        if (event != null) {
            Jfr.endReaperWait(event, minNr, nr, taken, capacity, outcome);
        }
    }

    /** Starts the timing of a submitter's wait: the event for {@link #endSubmitterWait}, or null if none is wanted. */
    static Object beginSubmitterWait() {
        return PRESENT ? Jfr.beginSubmitterWait() : null;
    }

    /**
     * Ends a submitter's wait, and records it if {@code event} is not null and the wait lasted at least the threshold.
     *
     * @param reserved the slots the call reserved (0 unless it returns normally with its slots)
     * @param outcome  {@link #OUTCOME_MET}, {@link #OUTCOME_TIMEOUT}, {@link #OUTCOME_INTERRUPT} or {@link #OUTCOME_CLOSE}
     */
    static void endSubmitterWait(Object event, int slots, int reserved, int capacity, int outcome) {
        if (event != null) {
            Jfr.endSubmitterWait(event, slots, reserved, capacity, outcome);
        }
    }

    /** The calls into jdk.jfr: loaded only if {@link #PRESENT}. */
    private static final class Jfr {

        static void ringCreated() {
            if (FlightRecorder.isInitialized()) {
                Types.register();
            }
        }

        static Object beginReaperWait() {
            if (!FlightRecorder.isInitialized() || !Types.isEnabled(Types.REAPER_WAIT)) {
                return null;
            }
            final ReaperWait event = new ReaperWait();
            event.begin();
            return event;
        }

        static void endReaperWait(Object e, int minNr, int nr, int taken, int capacity, int outcome) {
            final ReaperWait event = (ReaperWait) e;
            event.end();
            if (event.shouldCommit()) {
                event.minNr = minNr;
                event.nr = nr;
                event.taken = taken;
                event.capacity = capacity;
                event.outcome = name(outcome, "EVENTS");
                event.commit();
            }
        }

        static Object beginSubmitterWait() {
            if (!FlightRecorder.isInitialized() || !Types.isEnabled(Types.SUBMITTER_WAIT)) {
                return null;
            }
            final SubmitterWait event = new SubmitterWait();
            event.begin();
            return event;
        }

        static void endSubmitterWait(Object e, int slots, int reserved, int capacity, int outcome) {
            final SubmitterWait event = (SubmitterWait) e;
            event.end();
            if (event.shouldCommit()) {
                event.slots = slots;
                event.reserved = reserved;
                event.capacity = capacity;
                event.outcome = name(outcome, "SLOTS");
                event.commit();
            }
        }

        /** The outcome's name in the events: {@code met} (EVENTS, SLOTS) for {@link #OUTCOME_MET}. */
        private static String name(int outcome, String met) {
            return switch (outcome) {
                case OUTCOME_MET -> met;
                case OUTCOME_TIMEOUT -> "TIMEOUT";
                case OUTCOME_INTERRUPT -> "INTERRUPT";
                case OUTCOME_CLOSE -> "CLOSE";
                default -> throw new IllegalArgumentException("outcome " + outcome);
            };
        }
    }

    /**
     * The event types, looked up (which registers the event classes with JFR) by the class initializer, once Flight
     * Recorder is initialized; see the implementation overview for why not earlier.
     */
    private static final class Types {
        /** The event types, or null for one JFR refused to register. */
        static final EventType REAPER_WAIT = register(ReaperWait.class);
        static final EventType SUBMITTER_WAIT = register(SubmitterWait.class);

        /** Does nothing itself: calling it runs the class initializer, if it has not run. */
        static void register() {
        }

        /**
         * Registers an event class with JFR and returns its type, or null if JFR refuses: under a security manager
         * (JDK 17 to 23) that does not grant {@code FlightRecorderPermission("registerEvent")}, the event class's
         * initializer throws. Its events are then never recorded, and the ring works as it does without JFR.
         */
        private static EventType register(Class<? extends Event> eventClass) {
            try {
                return EventType.getEventType(eventClass);
            } catch (RuntimeException | LinkageError e) {   // SecurityException, or ExceptionInInitializerError
                return null;
            }
        }

        /** True if a running recording enables this type (a plain read of a field of JFR's); false if null. */
        static boolean isEnabled(EventType type) {
            return type != null && type.isEnabled();
        }
    }

    /*
     * The events. Enabled, with a 10 ms threshold, by their annotations: JFR gives an event type that a configuration
     * (.jfc) does not name its annotations' defaults, so the JDK's "default" and "profile" configurations, and so a
     * plain -XX:StartFlightRecording, record them. No stack trace by default: the wait's thread is recorded, a
     * reaper's or submitter's stack is nearly always the same loop around the call, and a stack walk per event would
     * cost more than the rest of the event; the JVM's own jdk.ThreadPark event (20 ms threshold, with a stack trace,
     * CompletionRing as its parkedClass) covers the park itself. A recording can turn stack traces on with the
     * setting io.completionring.ReaperWait#stackTrace=true.
     */

    @Name("io.completionring.ReaperWait")
    @Label("Completion Ring Reaper Wait")
    @Category("Completion Ring")
    @Description("A getEvents call that waited for events, from the start of its wait to its return or throw")
    @Threshold("10 ms")
    @StackTrace(false)
    static final class ReaperWait extends Event {
        @Label("Min Events")
        @Description("minNr: the fewest events the call waited for")
        int minNr;

        @Label("Max Events")
        @Description("nr: the most events the call could take")
        int nr;

        @Label("Events Taken")
        @Description("The events the call returned, with those it took before it waited (0 if it threw or returned -1)")
        int taken;

        @Label("Capacity")
        @Description("The ring's capacity")
        int capacity;

        @Label("Outcome")
        @Description("How the wait ended: EVENTS (minNr taken), TIMEOUT, INTERRUPT or CLOSE (closed, and fewer than "
                + "minNr events could still arrive)")
        String outcome;
    }

    @Name("io.completionring.SubmitterWait")
    @Label("Completion Ring Submitter Wait")
    @Category("Completion Ring")
    @Description("A submit call that waited for a free slot, from the start of its wait to its return or throw")
    @Threshold("10 ms")
    @StackTrace(false)
    static final class SubmitterWait extends Event {
        @Label("Slots Needed")
        @Description("The slots the call waited for")
        int slots;

        @Label("Slots Reserved")
        @Description("The slots the call reserved (0 unless it returned with them)")
        int reserved;

        @Label("Capacity")
        @Description("The ring's capacity")
        int capacity;

        @Label("Outcome")
        @Description("How the wait ended: SLOTS (reserved), TIMEOUT, INTERRUPT or CLOSE (RingClosedException)")
        String outcome;
    }
}
