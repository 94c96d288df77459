package io.backydb.config;

/**
 * The rule for the switch of the {@code compression}, {@code security} and {@code integrity}
 * sections: a section that sets any of its other keys must say whether it is on. Left out, the
 * switch meant "off", so {@code security: {type: keystore}} or {@code integrity: {integrity_type:
 * hmac}} made plaintext backups, or backups without an HMAC, that reported success; {@code false}
 * still keeps a section's keys without using them.
 */
final class SectionSwitch {

  private SectionSwitch() {}

  /** The one-line message for a section whose switch {@code key} is missing. */
  static String missing(String key, String consequence) {
    String name = key.substring(key.indexOf('.') + 1);
    return key
        + " is not set, so "
        + consequence
        + ": set "
        + name
        + ": true (or false to keep the section's other keys unused)";
  }
}
