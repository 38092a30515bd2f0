package io.completionring.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The kernel's structs and constants that this module uses, in one place, with the field names of the uapi headers
 * ({@code <linux/io_uring.h>}, {@code <linux/stat.h>}, {@code <asm/fcntl.h>}), so that a reviewer checks them against
 * the headers here and nowhere else. Offsets are computed from the layouts ({@link #offset}); each layout's size is
 * asserted against the header's {@code sizeof} when the class initialises.
 *
 * <p>A C union is written as the one member this module uses, its other members named in a comment; the two unions
 * whose members are both used (an SQE's {@code rw_flags} / {@code cancel_flags}) are {@code unionLayout}s.
 */
final class Uapi {

    private Uapi() {
    }

    // ---------------------------------------------------------------------------------------------------------------
    // System call numbers: the same on x86-64 and arm64 (and every architecture on the unified table of 5.1+).

    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final long SYS_IO_URING_REGISTER = 427;

    // ---------------------------------------------------------------------------------------------------------------
    // <linux/io_uring.h>

    /** struct io_uring_sqe: 64 bytes. */
    static final StructLayout SQE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"),
            JAVA_BYTE.withName("flags"),
            JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"),
            JAVA_LONG.withName("off"),                      // union { off; addr2; { cmd_op; __pad1; } }
            JAVA_LONG.withName("addr"),                     // union { addr; splice_off_in; }
            JAVA_INT.withName("len"),
            MemoryLayout.unionLayout(                       // anonymous in C; 20 more members of the same union
                    JAVA_INT.withName("rw_flags"),
                    JAVA_INT.withName("cancel_flags")).withName("op_flags"),
            JAVA_LONG.withName("user_data"),
            JAVA_SHORT.withName("buf_index"),               // packed union { buf_index; buf_group; }
            JAVA_SHORT.withName("personality"),
            JAVA_INT.withName("splice_fd_in"),              // union { splice_fd_in; file_index; { addr_len; __pad3; } }
            JAVA_LONG.withName("addr3"),
            MemoryLayout.sequenceLayout(1, JAVA_LONG).withName("__pad2"));

    /** struct io_uring_cqe: 16 bytes (without IORING_SETUP_CQE32, which this module does not use). */
    static final StructLayout CQE = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"),
            JAVA_INT.withName("res"),
            JAVA_INT.withName("flags"));

    /** struct io_sqring_offsets: where io_uring_setup says the SQ ring's fields are in the mapped SQ ring. */
    static final StructLayout SQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"),
            JAVA_INT.withName("tail"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"),
            JAVA_INT.withName("resv1"),
            JAVA_LONG.withName("resv2"));                   // user_addr since 6.5 (IORING_SETUP_NO_MMAP)

    /** struct io_cqring_offsets: where io_uring_setup says the CQ ring's fields are in the mapped CQ ring. */
    static final StructLayout CQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"),
            JAVA_INT.withName("tail"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            JAVA_INT.withName("overflow"),
            JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("resv1"),
            JAVA_LONG.withName("resv2"));                   // user_addr since 6.5 (IORING_SETUP_NO_MMAP)

    /** struct io_uring_params: 120 bytes, passed to io_uring_setup and filled in by it. */
    static final StructLayout PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"),
            JAVA_INT.withName("cq_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"),
            JAVA_INT.withName("sq_thread_idle"),
            JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            SQRING_OFFSETS.withName("sq_off"),
            CQRING_OFFSETS.withName("cq_off"));

    /** struct io_uring_probe_op: one entry of io_uring_probe.ops. */
    static final StructLayout PROBE_OP = MemoryLayout.structLayout(
            JAVA_BYTE.withName("op"),
            JAVA_BYTE.withName("resv"),
            JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("resv2"));

    /** struct io_uring_probe: its ops[] follows; this module asks for {@link #PROBE_OPS} entries. */
    static final StructLayout PROBE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("last_op"),
            JAVA_BYTE.withName("ops_len"),
            JAVA_SHORT.withName("resv"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv2"));

    static final int PROBE_OPS = 256;

    // io_uring_setup flags
    static final int IORING_SETUP_CQSIZE = 1 << 3;
    static final int IORING_SETUP_SUBMIT_ALL = 1 << 7;
    static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;
    static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;

    // io_uring_params.features
    static final int IORING_FEAT_SINGLE_MMAP = 1;

    // mmap offsets
    static final long IORING_OFF_SQ_RING = 0L;
    static final long IORING_OFF_CQ_RING = 0x8000000L;
    static final long IORING_OFF_SQES = 0x10000000L;

    // sq_ring flags
    static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;

    // io_uring_enter flags
    static final int IORING_ENTER_GETEVENTS = 1;

    // io_uring_register opcodes
    static final int IORING_REGISTER_PROBE = 8;
    static final int IO_URING_OP_SUPPORTED = 1;

    // opcodes (enum io_uring_op)
    static final byte IORING_OP_ASYNC_CANCEL = 14;
    static final byte IORING_OP_READ = 22;

    // sqe.flags
    static final byte IOSQE_ASYNC = 1 << 4;

    // ---------------------------------------------------------------------------------------------------------------
    // <linux/stat.h>, <linux/fcntl.h>, <asm/fcntl.h>, <sys/eventfd.h>, <sys/mman.h>

    /** struct statx_timestamp: 16 bytes. */
    static final StructLayout STATX_TIMESTAMP = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_INT.withName("tv_nsec"),
            JAVA_INT.withName("__reserved"));

    /** struct statx: 256 bytes. */
    static final StructLayout STATX = MemoryLayout.structLayout(
            JAVA_INT.withName("stx_mask"),
            JAVA_INT.withName("stx_blksize"),
            JAVA_LONG.withName("stx_attributes"),
            JAVA_INT.withName("stx_nlink"),
            JAVA_INT.withName("stx_uid"),
            JAVA_INT.withName("stx_gid"),
            JAVA_SHORT.withName("stx_mode"),
            JAVA_SHORT.withName("__spare0"),
            JAVA_LONG.withName("stx_ino"),
            JAVA_LONG.withName("stx_size"),
            JAVA_LONG.withName("stx_blocks"),
            JAVA_LONG.withName("stx_attributes_mask"),
            STATX_TIMESTAMP.withName("stx_atime"),
            STATX_TIMESTAMP.withName("stx_btime"),
            STATX_TIMESTAMP.withName("stx_ctime"),
            STATX_TIMESTAMP.withName("stx_mtime"),
            JAVA_INT.withName("stx_rdev_major"),
            JAVA_INT.withName("stx_rdev_minor"),
            JAVA_INT.withName("stx_dev_major"),
            JAVA_INT.withName("stx_dev_minor"),
            JAVA_LONG.withName("stx_mnt_id"),
            JAVA_INT.withName("stx_dio_mem_align"),
            JAVA_INT.withName("stx_dio_offset_align"),
            MemoryLayout.sequenceLayout(12, JAVA_LONG).withName("__spare3"));

    static final int STATX_SIZE = 0x200;
    static final int STATX_DIOALIGN = 0x2000;
    static final int AT_EMPTY_PATH = 0x1000;

    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 02000000;
    /** O_DIRECT differs by architecture: 040000 on x86-64, 0200000 on arm64 (asm-generic vs arm64's asm/fcntl.h). */
    static final int O_DIRECT = isAarch64() ? 0200000 : 040000;

    static final int EFD_CLOEXEC = O_CLOEXEC;

    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MAP_POPULATE = 0x8000;

    // errno values used by this module's logic (generic; the same on x86-64 and arm64)
    static final int EPERM = 1;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EBUSY = 16;
    static final int EINVAL = 22;
    static final int ENOSYS = 38;
    static final int ECANCELED = 125;

    /** The byte offset of a (possibly nested) field, from its layout: {@code offset(SQE, "user_data")}. */
    static long offset(StructLayout layout, String... path) {
        final PathElement[] elements = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = PathElement.groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }

    static boolean isAarch64() {
        return "aarch64".equals(System.getProperty("os.arch"));
    }

    static {
        // sizeof() of each struct in the uapi headers; a layout that disagrees is a bug in this file.
        check(SQE, 64);
        check(CQE, 16);
        check(PARAMS, 120);
        check(PROBE_OP, 8);
        check(PROBE, 16);
        check(STATX, 256);
    }

    private static void check(StructLayout layout, long size) {
        if (layout.byteSize() != size) {
            throw new ExceptionInInitializerError("layout " + layout + " is " + layout.byteSize() + " bytes, not "
                    + size);
        }
    }
}
