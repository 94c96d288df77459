package io.backydb.config;

import io.backydb.BackyException;
import io.backydb.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where secrets and locations come from: the process environment by default, a map in tests and in
 * the Java API. Values read here are never logged.
 */
public interface Environment {

  /** The seed's environment variables. */
  String DB_PASSWORD = "DB_PASSWORD";

  /** Backup and restore: the folder of {@code backydb.log} (required, see README). */
  String LOGGING_PATH = "LOGGING_PATH";

  String LOCAL_PATH = "LOCAL_PATH";
  String INTEGRITY_PASSWORD = "INTEGRITY_PASSWORD";
  String PRIVATE_KEY_PASSWORD = "PRIVATE_KEY_PASSWORD";
  String LOCAL_KEY_STORE_PATH = "LOCAL_KEY_STORE_PATH";

  /** S3 storage ({@code storage_type: aws}): credentials, bucket, region, optional endpoint. */
  String AWS_S3_ACCESS_KEY_ID = "AWS_S3_ACCESS_KEY_ID";

  String AWS_S3_SECRET_ACCESS_KEY = "AWS_S3_SECRET_ACCESS_KEY";
  String AWS_S3_BUCKET_NAME = "AWS_S3_BUCKET_NAME";
  String AWS_S3_REGION = "AWS_S3_REGION";

  /** An S3-compatible server (MinIO, Ceph, R2, s3proxy) instead of AWS; optional. */
  String AWS_S3_ENDPOINT = "AWS_S3_ENDPOINT";

  /**
   * {@code true} or {@code false}: S3 path-style addressing where a config does not say ({@code
   * storage.path_style}), e.g. for {@code backy verify s3://...}; optional.
   */
  String AWS_S3_PATH_STYLE = "AWS_S3_PATH_STYLE";

  /** The variable's value, or empty if it is not set. */
  Optional<String> get(String name);

  /** The process environment ({@link System#getenv(String)}). */
  static Environment system() {
    return name -> Optional.ofNullable(System.getenv(name));
  }

  /**
   * Exactly the variables in {@code values} (copied; later changes to the map are not seen), and no
   * variable of the process environment: the Java API's way to give secrets explicitly.
   */
  static Environment of(Map<String, String> values) {
    Map<String, String> copy = Map.copyOf(values);
    return name -> Optional.ofNullable(copy.get(name));
  }

  /** The value, which may be empty; a one-line config error naming the variable if it is unset. */
  default String require(String name, String why) {
    return get(name)
        .orElseThrow(
            () ->
                new BackyException(
                    ErrorCode.CONFIG,
                    "environment variable " + name + " is not set (required " + why + ")"));
  }

  /** The value, which must not be empty. */
  default String requireNonEmpty(String name, String why) {
    String v = require(name, why);
    if (v.isBlank()) {
      throw new BackyException(
          ErrorCode.CONFIG, "environment variable " + name + " is empty (required " + why + ")");
    }
    return v;
  }

  /**
   * Nothing, if {@code dir}, which variable {@code name} names, is a folder; else the one-line
   * config error a command that reads what is in it gives: a misspelt folder is not an empty one.
   */
  static void requireFolder(String name, Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new BackyException(
          ErrorCode.CONFIG,
          "environment variable "
              + name
              + " ("
              + dir
              + ") "
              + (Files.exists(dir) ? "is not a folder" : "names a folder that does not exist"));
    }
  }
}
