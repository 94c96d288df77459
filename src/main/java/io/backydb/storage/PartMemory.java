package io.backydb.storage;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The heap that the S3 uploads of a JVM may hold their parts in, all together: {@link #JVM} is a
 * quarter of the maximum heap. The long-running service ({@code backy run}) runs several uploads at
 * once; a budget per upload would let N uploads take N quarters of the heap. A part is collected in
 * memory only if the budget has room for all of it when the part starts; otherwise it goes to an
 * encrypted temporary file ({@link PartBuffer}): it never waits for memory, and never fails for the
 * lack of it.
 *
 * <p>The memory is lent as blocks of {@link #BLOCK} bytes, handed out as the part grows. A part
 * gives its room and its blocks back once it is uploaded, or when its upload ends or fails. Given
 * back blocks are kept for the next part, softly referenced: the next part reuses them rather than
 * allocating its own (a part lives through several young collections, so blocks allocated per part
 * would be promoted and collected over and over), yet the collector can still take them from an
 * idle process.
 */
final class PartMemory {

  /** The size of one block. */
  static final int BLOCK = 1 << 20;

  /** The budget of this JVM's uploads: a quarter of the maximum heap. */
  static final PartMemory JVM = new PartMemory(Runtime.getRuntime().maxMemory() / 4);

  private final long capacity;
  private long reserved; // guarded by this
  private final Deque<SoftReference<byte[]>> free = new ArrayDeque<>(); // guarded by this

  /**
   * @param capacity bytes that parts may hold in memory at once
   */
  PartMemory(long capacity) {
    this.capacity = Math.max(0, capacity);
  }

  /** The bytes a part of {@code partSize} bytes reserves: whole blocks. */
  static long charge(long partSize) {
    return -Math.floorDiv(-partSize, (long) BLOCK) * BLOCK;
  }

  /**
   * Reserves room for a part of {@code partSize} bytes if the budget has it now; never waits.
   *
   * @return whether the part may be collected in memory
   */
  synchronized boolean tryReserve(long partSize) {
    long bytes = charge(partSize);
    if (bytes > capacity - reserved) {
      return false;
    }
    reserved += bytes;
    return true;
  }

  /** A block for a part that holds a reservation: one given back earlier, else a new one. */
  byte[] block() {
    synchronized (this) {
      SoftReference<byte[]> ref;
      while ((ref = free.poll()) != null) {
        byte[] b = ref.get();
        if (b != null) {
          return b;
        }
      }
    }
    return new byte[BLOCK];
  }

  /** Gives back the reservation of a part of {@code partSize} bytes and the blocks it used. */
  synchronized void release(long partSize, List<byte[]> blocks) {
    reserved -= charge(partSize);
    for (byte[] b : blocks) {
      free.push(new SoftReference<>(b));
    }
  }

  /** The bytes not reserved by a part now. */
  synchronized long available() {
    return capacity - reserved;
  }

  long capacity() {
    return capacity;
  }
}
