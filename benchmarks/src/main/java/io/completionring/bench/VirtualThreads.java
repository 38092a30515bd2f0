package io.completionring.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Virtual threads for code compiled for Java 17, which has no {@code Thread.ofVirtual()}: the builder's methods are
 * found once, through method handles, on a JDK that has them (21 and later). On an older JDK {@link #newThread}
 * with {@code virtual} fails with a message that says so.
 */
final class VirtualThreads {

    /** {@code Thread.ofVirtual()}, {@code Thread.Builder.name(String)}, {@code Thread.Builder.unstarted(Runnable)}. */
    private static final MethodHandle OF_VIRTUAL;
    private static final MethodHandle NAME;
    private static final MethodHandle UNSTARTED;

    static {
        if (Runtime.version().feature() >= 21) {
            try {
                final MethodHandles.Lookup l = MethodHandles.publicLookup();
                final Class<?> builder = Class.forName("java.lang.Thread$Builder");
                OF_VIRTUAL = l.findStatic(Thread.class, "ofVirtual",
                        MethodType.methodType(Class.forName("java.lang.Thread$Builder$OfVirtual")));
                NAME = l.findVirtual(builder, "name", MethodType.methodType(builder, String.class));
                UNSTARTED = l.findVirtual(builder, "unstarted", MethodType.methodType(Thread.class, Runnable.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        } else {
            OF_VIRTUAL = null;
            NAME = null;
            UNSTARTED = null;
        }
    }

    private VirtualThreads() {
    }

    /** Whether this JDK has virtual threads. */
    static boolean available() {
        return UNSTARTED != null;
    }

    /** Why virtual threads cannot be had here: for the error a caller reports. */
    static String unavailableReason() {
        return "virtual threads need JDK 21 or later; this is Java " + Runtime.version();
    }

    /** An unstarted thread, virtual or platform, with the given name. */
    static Thread newThread(boolean virtual, String name, Runnable task) {
        if (!virtual) {
            return new Thread(task, name);
        }
        if (!available()) {
            throw new UnsupportedOperationException(unavailableReason());
        }
        try {
            return (Thread) UNSTARTED.invoke(NAME.invoke(OF_VIRTUAL.invoke(), name), task);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("could not create a virtual thread", e);
        }
    }
}
