package io.backydb.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.constraints.IntRange;

/**
 * The WHERE conditions that cut a primary key's span into ranges: together they hold every value
 * exactly once, in ascending order, whatever the span (BIGINT UNSIGNED's whole range, one value,
 * negative keys).
 */
class PrimaryKeyChunksTest {

  static final String COLUMN = "`id`";
  static final BigInteger SIGNED_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  static final BigInteger UNSIGNED_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /** One condition read back: {@code lo <= id < hi}, a null bound meaning none. */
  record Range(BigInteger lo, BigInteger hi) {
    boolean contains(BigInteger v) {
      return (lo == null || v.compareTo(lo) >= 0) && (hi == null || v.compareTo(hi) < 0);
    }
  }

  private static final String N = "(-?\\d+)";
  private static final Pattern BELOW = Pattern.compile(Pattern.quote(COLUMN) + " < " + N);
  private static final Pattern BETWEEN =
      Pattern.compile(
          Pattern.quote(COLUMN) + " >= " + N + " AND " + Pattern.quote(COLUMN) + " < " + N);
  private static final Pattern FROM = Pattern.compile(Pattern.quote(COLUMN) + " >= " + N);

  /** Reads the conditions back; any other form than the three expected fails the test. */
  static List<Range> parse(List<String> where) {
    List<Range> ranges = new ArrayList<>();
    for (String w : where) {
      Matcher between = BETWEEN.matcher(w);
      Matcher below = BELOW.matcher(w);
      Matcher from = FROM.matcher(w);
      if (between.matches()) {
        ranges.add(new Range(new BigInteger(between.group(1)), new BigInteger(between.group(2))));
      } else if (below.matches()) {
        ranges.add(new Range(null, new BigInteger(below.group(1))));
      } else if (from.matches()) {
        ranges.add(new Range(new BigInteger(from.group(1)), null));
      } else {
        fail("unexpected condition: " + w);
      }
    }
    return ranges;
  }

  @Provide
  Arbitrary<Tuple2<BigInteger, BigInteger>> spans() {
    Arbitrary<BigInteger> min = Arbitraries.bigIntegers().between(SIGNED_MIN, UNSIGNED_MAX);
    Arbitrary<BigInteger> width =
        Arbitraries.oneOf(
            Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.valueOf(3000)),
            Arbitraries.bigIntegers().between(BigInteger.ZERO, UNSIGNED_MAX));
    Arbitrary<Tuple2<BigInteger, BigInteger>> any =
        Combinators.combine(min, width).as((lo, w) -> Tuple.of(lo, lo.add(w).min(UNSIGNED_MAX)));
    return Arbitraries.oneOf(
        Arbitraries.just(Tuple.of(BigInteger.ZERO, UNSIGNED_MAX)),
        Arbitraries.just(Tuple.of(SIGNED_MIN, BigInteger.valueOf(Long.MAX_VALUE))),
        any);
  }

  @Property(tries = 500)
  void theConditionsPartitionTheSpanInAscendingOrder(
      @ForAll("spans") Tuple2<BigInteger, BigInteger> span,
      @ForAll @IntRange(min = 1, max = 1100) int parts,
      @ForAll long seed) {
    check(span.get1(), span.get2(), parts, seed);
  }

  @Example
  void bigintUnsignedFromZeroToItsLargestValue() {
    check(BigInteger.ZERO, UNSIGNED_MAX, PrimaryKeyChunks.MAX_CHUNKS, 1);
    check(BigInteger.ZERO, UNSIGNED_MAX, 2, 2);
    check(UNSIGNED_MAX.subtract(BigInteger.TWO), UNSIGNED_MAX, 5, 3);
  }

  @Example
  void aSingleValueOrTooFewPartsIsNotSplit() {
    assertThat(PrimaryKeyChunks.split(COLUMN, BigInteger.TEN, BigInteger.TEN, 8)).isEmpty();
    assertThat(PrimaryKeyChunks.split(COLUMN, UNSIGNED_MAX, UNSIGNED_MAX, 8)).isEmpty();
    assertThat(PrimaryKeyChunks.split(COLUMN, BigInteger.ZERO, UNSIGNED_MAX, 1)).isEmpty();
    check(BigInteger.valueOf(-1), BigInteger.ZERO, 8, 4);
  }

  @Example
  void negativeKeys() {
    check(BigInteger.valueOf(-100), BigInteger.valueOf(-1), 7, 5);
    check(SIGNED_MIN, SIGNED_MIN.add(BigInteger.valueOf(10)), 3, 6);
    check(SIGNED_MIN, BigInteger.valueOf(Long.MAX_VALUE), PrimaryKeyChunks.MAX_CHUNKS, 7);
    assertThat(PrimaryKeyChunks.split(COLUMN, BigInteger.valueOf(-10), BigInteger.valueOf(9), 4))
        .containsExactly(
            "`id` < -5", "`id` >= -5 AND `id` < 0", "`id` >= 0 AND `id` < 5", "`id` >= 5");
  }

  /** Checks every promise of {@code split} for one span. */
  static void check(BigInteger min, BigInteger max, int parts, long seed) {
    List<String> where = PrimaryKeyChunks.split(COLUMN, min, max, parts);
    BigInteger width = max.subtract(min).add(BigInteger.ONE);
    long expected =
        Math.min(
            Math.min(parts, PrimaryKeyChunks.MAX_CHUNKS),
            width.min(BigInteger.valueOf(1 << 20)).longValue());
    if (expected < 2) {
      assertThat(where).as("one part is no split").isEmpty();
      return;
    }
    assertThat(where).as("as many parts as asked for, or one per value").hasSize((int) expected);
    List<Range> ranges = parse(where);

    // structure: open below, open above, each range starting where the one before ends
    assertThat(ranges.get(0).lo()).isNull();
    assertThat(ranges.get(ranges.size() - 1).hi()).isNull();
    for (int i = 1; i < ranges.size(); i++) {
      assertThat(ranges.get(i).lo()).isEqualTo(ranges.get(i - 1).hi());
      if (ranges.get(i).hi() != null) {
        assertThat(ranges.get(i).hi()).isGreaterThan(ranges.get(i).lo());
      }
    }

    // every range holds values of [min, max], and about as many as the others
    TreeSet<BigInteger> sizes = new TreeSet<>();
    for (Range r : ranges) {
      BigInteger lo = r.lo() == null ? min : r.lo();
      BigInteger hi = r.hi() == null ? max.add(BigInteger.ONE) : r.hi();
      assertThat(lo).isBetween(min, max);
      assertThat(hi).isGreaterThan(lo);
      sizes.add(hi.subtract(lo));
    }
    assertThat(sizes.last().subtract(sizes.first()))
        .as("equal parts (sizes %s)", sizes)
        .isLessThanOrEqualTo(BigInteger.ONE);

    // values: the ends, each bound and its neighbours, random ones, and some outside the span;
    // each is in exactly one range, and later values in later (or the same) ranges
    TreeSet<BigInteger> values = new TreeSet<>();
    values.add(min);
    values.add(max);
    values.add(min.subtract(BigInteger.ONE));
    values.add(max.add(BigInteger.ONE));
    for (Range r : ranges) {
      if (r.lo() != null) {
        values.add(r.lo());
        values.add(r.lo().subtract(BigInteger.ONE));
        values.add(r.lo().add(BigInteger.ONE));
      }
    }
    Random random = new Random(seed);
    for (int i = 0; i < 200; i++) {
      values.add(min.add(new BigInteger(width.bitLength() + 8, random).mod(width)));
    }
    int previous = 0;
    for (BigInteger v : values) {
      int index = -1;
      for (int i = 0; i < ranges.size(); i++) {
        if (ranges.get(i).contains(v)) {
          assertThat(index).as("%s matches conditions %d and %d", v, index, i).isEqualTo(-1);
          index = i;
        }
      }
      assertThat(index).as("%s matches a condition", v).isNotNegative();
      assertThat(index).as("ascending at %s", v).isGreaterThanOrEqualTo(previous);
      previous = index;
    }
  }
}
