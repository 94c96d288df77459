package io.backydb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OneLineTest {

  @Test
  void plainTextIsTheSameString() {
    String plain = "table `orders` \\ été 😀";
    assertThat(OneLine.of(plain)).isSameAs(plain);
    assertThat(OneLine.of(null)).isNull();
  }

  @Test
  void lineBreaksTabsAndControlCharactersAreWrittenAsEscapes() {
    assertThat(OneLine.of("a\nb\rc\td")).isEqualTo("a\\nb\\rc\\td");
    assertThat(OneLine.of("\u001b[2J\u0000\u007f\u0085"))
        .isEqualTo("\\u001b[2J\\u0000\\u007f\\u0085");
    assertThat(OneLine.of("x\u2028y\u2029z")).isEqualTo("x\\u2028y\\u2029z");
  }
}
