package dev.presign.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PartSizesTest {
  static final long MIB = PartSizes.MIB;

  @Test
  void small_uploads_get_s3s_smallest_part() {
    assertThat(PartSizes.partSize(0)).isEqualTo(5 * MIB);
    assertThat(PartSizes.partSize(12 * MIB)).isEqualTo(5 * MIB);
    assertThat(PartSizes.partCount(12 * MIB, 5 * MIB)).isEqualTo(3);
    assertThat(PartSizes.partCount(0, 5 * MIB)).isEqualTo(1);
  }

  @Test
  void large_uploads_fit_in_ten_thousand_whole_mib_parts() {
    assertThat(PartSizes.partSize(50_000 * MIB)).isEqualTo(5 * MIB);
    assertThat(PartSizes.partSize(50_000 * MIB + 1)).isEqualTo(6 * MIB);
    assertThat(PartSizes.partSize(PartSizes.MAX_OBJECT)).isLessThanOrEqualTo(PartSizes.MAX_PART);
  }

  @Test
  void every_size_gets_a_part_size_within_s3s_limits_and_at_most_ten_thousand_parts() {
    Random random = new Random(12);
    for (int i = 0; i < 100_000; i++) {
      long size = (long) (random.nextDouble() * PartSizes.MAX_OBJECT);
      long part = PartSizes.partSize(size);
      assertThat(part).isBetween(PartSizes.MIN_PART, PartSizes.MAX_PART);
      assertThat(part % MIB).isZero();
      assertThat(PartSizes.partCount(size, part)).isBetween(1, PartSizes.MAX_PARTS);
      assertThat((long) PartSizes.partCount(size, part) * part).isGreaterThanOrEqualTo(size);
    }
  }

  @Test
  void a_size_that_is_a_whole_number_of_parts_needs_no_extra_part() {
    assertThat(PartSizes.partCount(10 * MIB, 5 * MIB)).isEqualTo(2);
    assertThat(PartSizes.partCount(10 * MIB - 1, 5 * MIB)).isEqualTo(2);
    assertThat(PartSizes.partCount(10 * MIB + 1, 5 * MIB)).isEqualTo(3);
    assertThat(PartSizes.partCount(5 * MIB, 5 * MIB)).isEqualTo(1);
    assertThat(PartSizes.partCount(1, 5 * MIB)).isEqualTo(1);
  }
}
